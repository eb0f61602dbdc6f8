package io.customerstudio.infra.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link StartupCheckException} into Spring Boot's one-paragraph failure report. */
public class StartupCheckFailureAnalyzer extends AbstractFailureAnalyzer<StartupCheckException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, StartupCheckException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Fix " + cause.setting() + " (see the configuration table in README.md) and start again.",
        cause);
  }
}
