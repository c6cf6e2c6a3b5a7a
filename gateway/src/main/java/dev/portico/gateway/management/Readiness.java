package dev.portico.gateway.management;

import dev.portico.gateway.health.ReadinessCheck;
import java.util.List;

/**
 * The outcome of every readiness check at one moment, and of the drain.
 *
 * @param draining why the gateway is draining, or {@code null} when it is not
 */
public record Readiness(List<Entry> entries, String draining) {

  /** What {@code /health/ready} reports as {@code status}. */
  public enum Status {
    /** 200: every check is OK. */
    UP,
    /** 200: serving, but at least one check is degraded (serving from data it cannot refresh). */
    DEGRADED,
    /** 503: at least one check is not ready. */
    DOWN,
    /** 503: shutting down; load balancers must stop sending new requests. */
    DRAINING
  }

  public record Entry(String name, ReadinessCheck.Result result) {}

  public Readiness {
    entries = List.copyOf(entries);
  }

  public Status status() {
    if (draining != null) {
      return Status.DRAINING;
    }
    if (entries.stream().anyMatch(e -> !e.result().ready())) {
      return Status.DOWN;
    }
    return entries.stream().anyMatch(e -> e.result().degraded()) ? Status.DEGRADED : Status.UP;
  }

  /** Whether {@code /health/ready} answers 200. */
  public boolean ready() {
    Status s = status();
    return s == Status.UP || s == Status.DEGRADED;
  }

  /** Whether the named check is degraded now. */
  public boolean degraded(String check) {
    return entries.stream().anyMatch(e -> e.name().equals(check) && e.result().degraded());
  }
}
