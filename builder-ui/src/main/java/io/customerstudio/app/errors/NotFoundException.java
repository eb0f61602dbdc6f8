package io.customerstudio.app.errors;

/**
 * A service was asked about something that does not exist (a sync, a run, a snapshot). The message
 * names it, for a person to read; the API answers 404.
 */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String message) {
    super(message);
  }
}
