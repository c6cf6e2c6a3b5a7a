package dev.portico.gateway.resilience;

import java.util.concurrent.TimeUnit;

/**
 * Caps retries at a share of requests over the last 10 seconds (plus a small floor per second so
 * that low traffic can still retry), so a failing backend cannot multiply the load on itself.
 */
public final class RetryBudget {

  private static final long WINDOW = TimeUnit.SECONDS.toNanos(10);

  private final double ratio;
  private final long floor;
  private final SlidingCounter requests = new SlidingCounter(WINDOW, 10);
  private final SlidingCounter retries = new SlidingCounter(WINDOW, 10);

  public RetryBudget(double ratio, int minPerSecond) {
    this.ratio = ratio;
    this.floor = minPerSecond * 10L;
  }

  public void recordRequest(long now) {
    requests.add(now, 1);
  }

  /** Takes one retry from the budget if there is one left. */
  public boolean tryRetry(long now) {
    long allowed = Math.max(floor, (long) (ratio * requests.sum(now)));
    if (retries.sum(now) >= allowed) {
      return false;
    }
    retries.add(now, 1);
    return true;
  }
}
