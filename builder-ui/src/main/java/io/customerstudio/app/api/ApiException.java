package io.customerstudio.app.api;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, with the HTTP status and, where fields are at fault, one error per
 * field named by its JSON path ({@code $.username}). Rendered as RFC 9457 problem details.
 */
public class ApiException extends RuntimeException {

  /** One thing wrong with the request, and where. */
  public record FieldError(String path, String message) {}

  private final HttpStatus status;
  private final String title;
  private final List<FieldError> errors;

  public ApiException(HttpStatus status, String title, String detail, List<FieldError> errors) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(HttpStatus.NOT_FOUND, "Not found", detail, List.of());
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, List.of());
  }

  public static ApiException conflict(String detail) {
    return new ApiException(HttpStatus.CONFLICT, "Conflict", detail, List.of());
  }

  public static ApiException invalid(List<FieldError> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).path() + ": " + errors.get(0).message()
            : errors.size() + " problems in the request; see errors";
    return new ApiException(HttpStatus.BAD_REQUEST, "Invalid request", detail, errors);
  }

  /** The engine's validation problems as field errors: the same path and message. */
  public static List<FieldError> errorsOf(io.customerstudio.query.ValidationException e) {
    return e.problems().stream().map(p -> new FieldError(p.path(), p.message())).toList();
  }

  public static ApiException invalid(String path, String message) {
    return invalid(List.of(new FieldError(path, message)));
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  public List<FieldError> errors() {
    return errors;
  }
}
