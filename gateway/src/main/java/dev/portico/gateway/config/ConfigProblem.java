package dev.portico.gateway.config;

/**
 * One thing wrong with a configuration.
 *
 * @param source where the configuration came from (a file path, or {@code <built-in default>})
 * @param path the field, as {@code backends[1].url}; {@code ""} for the document itself
 * @param reason what is wrong, in words a user can act on
 */
public record ConfigProblem(String source, String path, String reason) {

  @Override
  public String toString() {
    return source + ": " + (path.isEmpty() ? "" : path + ": ") + reason;
  }
}
