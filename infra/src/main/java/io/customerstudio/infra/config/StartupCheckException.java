package io.customerstudio.infra.config;

/**
 * A setting that stops start-up: names the environment variable an operator must fix and says why,
 * so the failure report is one clear line rather than a stack trace.
 */
public class StartupCheckException extends RuntimeException {

  private final String setting;

  public StartupCheckException(String setting, String message, Throwable cause) {
    super(setting + ": " + message, cause);
    this.setting = setting;
  }

  /** The environment variable (e.g. {@code STUDIO_DATABASE_URL}) to look at. */
  public String setting() {
    return setting;
  }
}
