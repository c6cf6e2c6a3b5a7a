package dev.portico.gateway.health;

import java.util.function.Supplier;

/**
 * One condition of readiness, probed on each {@code /health/ready} call (so the probe must be cheap
 * and non-blocking).
 *
 * <p>Readiness answers one question: can this gateway serve requests now? A dependency that fails
 * while its last data still routes (an unreachable registry, a stale Service Fabric import) makes
 * the check {@linkplain Result#degraded degraded}, not unready: every replica sees the same outage,
 * and taking them all out of their load balancer would turn a partial problem into a full one.
 */
public record ReadinessCheck(String name, Supplier<Result> probe) {

  /** How a check stands. */
  public enum Status {
    /** Serving as intended. */
    OK,
    /** Serving, but from data that cannot be refreshed: ready, and reported as {@code degraded}. */
    DEGRADED,
    /** This gateway cannot serve what the check covers: not ready. */
    NOT_READY
  }

  public record Result(Status status, String detail) {

    public static Result ok(String detail) {
      return new Result(Status.OK, detail);
    }

    public static Result degraded(String detail) {
      return new Result(Status.DEGRADED, detail);
    }

    public static Result notReady(String detail) {
      return new Result(Status.NOT_READY, detail);
    }

    /** Ready, degraded or not. */
    public boolean ready() {
      return status != Status.NOT_READY;
    }

    public boolean degraded() {
      return status == Status.DEGRADED;
    }
  }
}
