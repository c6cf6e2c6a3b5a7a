package dev.portico.fabric.importer;

import java.util.List;

/**
 * An {@link ImporterConfig} that cannot work; {@link #problems()} lists every problem found, not
 * just the first.
 */
public final class InvalidImporterConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidImporterConfigException(List<String> problems) {
    super("Invalid Service Fabric importer configuration: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
