package io.customerstudio.app.api;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.query.ValidationException;
import java.util.List;
import org.jooq.exception.DataAccessException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Renders every refused API request as {@code application/problem+json} with an {@code errors}
 * array of {@code {path, message}}: a 4xx that says what is wrong and where, never a 500.
 *
 * <p>Not limited to our controllers: requests that no handler takes (an unknown {@code /api/**}
 * path, which {@code vaadin.exclude-urls} keeps away from the UI's servlet, or a path served with
 * another method) fail before any controller is chosen, and are refused here too (404, 405, 406,
 * 415).
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> handle(ApiException e) {
    return problem(e.status(), e.title(), e.getMessage(), e.errors());
  }

  /** A service was asked about something that does not exist. */
  @ExceptionHandler(NotFoundException.class)
  ResponseEntity<ProblemDetail> handle(NotFoundException e) {
    return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), List.of());
  }

  /** A service refused a request because of the state things are in. */
  @ExceptionHandler(ConflictException.class)
  ResponseEntity<ProblemDetail> handle(ConflictException e) {
    return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), List.of());
  }

  /** A schema or audience definition the engine refused, before any SQL ran. */
  @ExceptionHandler(ValidationException.class)
  ResponseEntity<ProblemDetail> handle(ValidationException e) {
    List<ApiException.FieldError> errors = ApiException.errorsOf(e);
    return problem(HttpStatus.BAD_REQUEST, "Invalid definition", e.getMessage(), errors);
  }

  /**
   * The warehouse refused a value (SQLSTATE class 22, data exception: a NUL byte, an out of range
   * number): the request's fault, so a 400; anything else stays a server error.
   */
  @ExceptionHandler(DataAccessException.class)
  ResponseEntity<ProblemDetail> handle(DataAccessException e) {
    String state = e.sqlState();
    if (state != null && state.startsWith("22")) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      return problem(
          HttpStatus.BAD_REQUEST,
          "Invalid value",
          "the warehouse rejected a value: " + reason.lines().findFirst().orElse(reason),
          List.of(new ApiException.FieldError("$", reason.lines().findFirst().orElse(reason))));
    }
    throw e;
  }

  /**
   * The same for the app store, whose jOOQ errors Spring translates (a NUL byte in a key looked
   * up): a data exception is the request's fault, anything else stays a server error.
   */
  @ExceptionHandler(org.springframework.dao.DataAccessException.class)
  ResponseEntity<ProblemDetail> handle(org.springframework.dao.DataAccessException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("22")) {
        String reason = String.valueOf(sql.getMessage());
        String first = reason.lines().findFirst().orElse(reason);
        return problem(
            HttpStatus.BAD_REQUEST,
            "Invalid value",
            "the database rejected a value: " + first,
            List.of(new ApiException.FieldError("$", first)));
      }
    }
    throw e;
  }

  /** Malformed JSON, a wrong type or an unknown field: name the JSON path Jackson stopped at. */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String path = "$";
    String message = "the request body is not valid JSON";
    if (ex.getCause() instanceof JsonMappingException jme) {
      path = jsonPath(jme.getPath());
      if (jme instanceof UnrecognizedPropertyException u) {
        message = "unknown field '" + u.getPropertyName() + "'; known: " + u.getKnownPropertyIds();
      } else if (jme instanceof InvalidFormatException f && f.getTargetType().isEnum()) {
        message =
            "expected one of "
                + java.util.Arrays.toString(f.getTargetType().getEnumConstants())
                + ", got '"
                + f.getValue()
                + "'";
      } else if (jme instanceof InvalidFormatException f) {
        message = "expected " + f.getTargetType().getSimpleName() + ", got '" + f.getValue() + "'";
      } else {
        message = jme.getOriginalMessage();
      }
    } else if (ex.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
      message = "malformed JSON: " + jpe.getOriginalMessage();
    } else if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body")) {
      message = "a JSON request body is required";
    }
    return ResponseEntity.status(HttpStatus.BAD_REQUEST)
        .header(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .body(
            body(
                HttpStatus.BAD_REQUEST,
                "Invalid request",
                path + ": " + message,
                List.of(new ApiException.FieldError(path, message))));
  }

  /**
   * Spring's own refusals (unknown path, wrong method or media type, a missing or mistyped
   * parameter) get the {@code errors} array too; a parameter's problem names the parameter.
   */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex,
      @Nullable Object body,
      HttpHeaders headers,
      HttpStatusCode statusCode,
      WebRequest request) {
    ResponseEntity<Object> response =
        super.handleExceptionInternal(ex, body, headers, statusCode, request);
    if (response != null
        && response.getBody() instanceof ProblemDetail pd
        && (pd.getProperties() == null || !pd.getProperties().containsKey("errors"))) {
      pd.setProperty("errors", parameterErrors(ex, pd));
    }
    return response;
  }

  private static List<ApiException.FieldError> parameterErrors(Exception ex, ProblemDetail pd) {
    String detail = pd.getDetail() == null ? pd.getTitle() : pd.getDetail();
    if (ex instanceof MissingServletRequestParameterException m) {
      return List.of(new ApiException.FieldError(m.getParameterName(), "is required"));
    }
    if (ex instanceof MethodArgumentTypeMismatchException m) {
      return List.of(
          new ApiException.FieldError(
              m.getName(),
              "expected "
                  + (m.getRequiredType() == null ? "a value" : m.getRequiredType().getSimpleName())
                  + ", got '"
                  + m.getValue()
                  + "'"));
    }
    if (ex instanceof TypeMismatchException m && m.getPropertyName() != null) {
      return List.of(new ApiException.FieldError(m.getPropertyName(), detail));
    }
    if (ex instanceof HttpMediaTypeNotSupportedException) {
      return List.of(new ApiException.FieldError("$", detail));
    }
    return List.of();
  }

  /** No endpoint at this path (for any method): say so, not "no static resource". */
  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return noEndpoint(ex, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleNoHandlerFoundException(
      NoHandlerFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return noEndpoint(ex, status, request);
  }

  private ResponseEntity<Object> noEndpoint(
      Exception ex, HttpStatusCode status, WebRequest request) {
    String where =
        request instanceof ServletWebRequest r
            ? r.getRequest().getMethod() + " " + r.getRequest().getRequestURI()
            : "this path";
    ProblemDetail pd =
        ProblemDetail.forStatusAndDetail(
            status,
            "No endpoint at "
                + where
                + "; the API is described at /v3/api-docs (browsable at /swagger-ui.html)");
    pd.setTitle("Not found");
    return handleExceptionInternal(ex, pd, new HttpHeaders(), status, request);
  }

  static String jsonPath(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder("$");
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        sb.append('.').append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static ResponseEntity<ProblemDetail> problem(
      HttpStatus status, String title, String detail, List<ApiException.FieldError> errors) {
    return ResponseEntity.status(status)
        .header(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .body(body(status, title, detail, errors));
  }

  private static ProblemDetail body(
      HttpStatus status, String title, String detail, List<ApiException.FieldError> errors) {
    ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
    pd.setTitle(title);
    pd.setProperty("errors", errors);
    return pd;
  }
}
