package io.customerstudio.query;

import java.util.List;

/**
 * A definition the engine refuses, before any SQL runs. Carries every problem found, each with the
 * JSON path of the offending node.
 */
public class ValidationException extends RuntimeException {

  private final List<Problem> problems;

  public ValidationException(List<Problem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public static ValidationException of(String path, String message) {
    return new ValidationException(List.of(new Problem(path, message)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String summary(List<Problem> problems) {
    if (problems.isEmpty()) {
      return "invalid definition";
    }
    return problems.size() == 1
        ? problems.get(0).toString()
        : problems.get(0) + " (and " + (problems.size() - 1) + " more)";
  }
}
