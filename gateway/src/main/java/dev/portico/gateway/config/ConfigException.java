package dev.portico.gateway.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it (not just the first). */
public final class ConfigException extends RuntimeException {

  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(format(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public static ConfigException of(String source, String path, String reason) {
    return new ConfigException(List.of(new ConfigProblem(source, path, reason)));
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String format(List<ConfigProblem> problems) {
    return "invalid configuration ("
        + problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + "):\n"
        + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
  }
}
