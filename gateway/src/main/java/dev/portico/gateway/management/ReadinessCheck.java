package dev.portico.gateway.management;

import java.util.function.Supplier;

/**
 * One condition of readiness, probed on each {@code /health/ready} call (so the probe must be
 * cheap and non-blocking).
 */
public record ReadinessCheck(String name, Supplier<Result> probe) {

  public record Result(boolean ready, String detail) {
    public static Result ok(String detail) {
      return new Result(true, detail);
    }

    public static Result notReady(String detail) {
      return new Result(false, detail);
    }
  }
}
