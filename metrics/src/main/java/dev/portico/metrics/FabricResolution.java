package dev.portico.metrics;

import java.util.Locale;

/** How a Service Fabric resolution ended: the closed value set of the {@code result} label. */
public enum FabricResolution {
  /** Resolved from the current view. */
  OK,
  /** Resolved after a complaint-based re-resolution (the previous endpoint was stale). */
  REFRESHED,
  /** The service is not known. */
  NOT_FOUND,
  /** The partition key matches no partition, or is malformed. */
  BAD_KEY,
  /** The partition has no replica of the requested role. */
  NO_REPLICA,
  /** Anything else. */
  ERROR;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }
}
