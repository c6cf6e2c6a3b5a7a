package dev.portico.discovery;

import io.vertx.servicediscovery.Status;

/** The status of a registry record. Only {@link #UP} instances ever receive traffic. */
public enum InstanceStatus {
  UP,
  DOWN,
  OUT_OF_SERVICE,
  UNKNOWN;

  static InstanceStatus of(Status status) {
    if (status == null) {
      return UNKNOWN;
    }
    return switch (status) {
      case UP -> UP;
      case DOWN -> DOWN;
      case OUT_OF_SERVICE -> OUT_OF_SERVICE;
      case UNKNOWN -> UNKNOWN;
    };
  }

  Status toVertx() {
    return switch (this) {
      case UP -> Status.UP;
      case DOWN -> Status.DOWN;
      case OUT_OF_SERVICE -> Status.OUT_OF_SERVICE;
      case UNKNOWN -> Status.UNKNOWN;
    };
  }

  /** Parses a status name case-insensitively, accepting {@code OUT-OF-SERVICE} as well. */
  public static InstanceStatus parse(String name) {
    return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
  }
}
