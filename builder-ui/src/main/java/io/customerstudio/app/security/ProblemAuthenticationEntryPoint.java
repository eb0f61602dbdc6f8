package io.customerstudio.app.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * 401, 403 and 429 (a login locked out, with {@code Retry-After}) for the API as problem+json, with
 * the challenges a client can answer.
 */
final class ProblemAuthenticationEntryPoint
    implements AuthenticationEntryPoint, AccessDeniedHandler {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    if (e instanceof TooManyLoginFailuresException t) {
      response.setHeader("Retry-After", Long.toString(t.retryAfterSeconds()));
      write(
          response,
          429,
          "Too many failed logins",
          "Too many failed logins for this user or from this address; try again in "
              + t.retryAfterSeconds()
              + " s (each further failure doubles the wait)");
      return;
    }
    response.addHeader("WWW-Authenticate", "Basic realm=\"Customer Studio\"");
    response.addHeader("WWW-Authenticate", "Bearer realm=\"Customer Studio\"");
    write(
        response,
        401,
        "Unauthorized",
        "Authentication required: HTTP Basic with a Customer Studio user, or"
            + " 'Authorization: Bearer <API token>'");
  }

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    write(
        response,
        403,
        "Forbidden",
        "Your role does not allow " + request.getMethod() + " " + request.getRequestURI());
  }

  static void write(HttpServletResponse response, int status, String title, String detail)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("errors", List.of());
    // bytes, not a Writer: JSON is UTF-8 and needs no charset parameter
    JSON.writeValue(response.getOutputStream(), body);
  }
}
