package dev.portico.fabric;

/**
 * Stateful services have a primary and secondaries per partition; stateless ones have instances.
 */
public enum ServiceKind {
  STATELESS("Stateless"),
  STATEFUL("Stateful");

  private final String restName;

  ServiceKind(String restName) {
    this.restName = restName;
  }

  /** The REST {@code ServiceKind} value. */
  public String restName() {
    return restName;
  }

  /** Parses {@code Stateless} or {@code Stateful}, ignoring case. */
  public static ServiceKind parse(String text) {
    for (ServiceKind kind : values()) {
      if (kind.restName.equalsIgnoreCase(text)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "Unknown service kind "
            + (text == null ? "null" : '"' + text + '"')
            + "; expected Stateless or Stateful");
  }

  @Override
  public String toString() {
    return restName;
  }
}
