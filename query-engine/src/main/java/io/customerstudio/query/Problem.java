package io.customerstudio.query;

/** One thing wrong with a schema or audience definition, and where: a JSON path into it. */
public record Problem(String path, String message) {

  @Override
  public String toString() {
    return path + ": " + message;
  }
}
