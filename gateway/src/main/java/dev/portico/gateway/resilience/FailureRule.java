package dev.portico.gateway.resilience;

import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.protocol.grpc.GrpcStatus;
import java.util.concurrent.TimeUnit;

/**
 * One tripping rule at run time: what counts as a failure, and the window that decides when
 * failures are enough. A count rule is exact (the last {@code count} failure times in a ring); a
 * percentage rule uses a bucketed sliding window (1/20 of the interval per bucket).
 */
final class FailureRule {

  private static final int PERCENT_BUCKETS = 20;

  final BreakerRuleConfig config;
  final long intervalNanos;
  final long tripNanos;
  private final long[] failureTimes;
  private int next;
  private int filled;
  private final SlidingCounter requests;
  private final SlidingCounter failures;

  FailureRule(BreakerRuleConfig config) {
    this.config = config;
    this.intervalNanos = config.interval().toNanos();
    this.tripNanos = config.tripDuration().toNanos();
    if (config.count() != null) {
      failureTimes = new long[config.count()];
      requests = null;
      failures = null;
    } else {
      failureTimes = null;
      requests = new SlidingCounter(intervalNanos, PERCENT_BUCKETS);
      failures = new SlidingCounter(intervalNanos, PERCENT_BUCKETS);
    }
  }

  /**
   * Whether the outcome ({@code status} &gt; 0 for a response, else an error {@code reason}) counts
   * as a failure.
   */
  boolean isFailure(int status, String reason) {
    return isFailure(config, status, reason);
  }

  /** As {@link #isFailure(int, String)}, for a rule not made yet. */
  static boolean isFailure(BreakerRuleConfig config, int status, String reason) {
    if (status > 0) {
      for (BreakerRuleConfig.StatusRange r : config.statusCodeRanges()) {
        if (r.contains(status)) {
          return true;
        }
      }
      return false;
    }
    return reason != null && config.errorReasons().contains(reason);
  }

  /**
   * Whether a gRPC response's status is one the rule counts ({@code failureCondition.grpcStatuses},
   * issue 14).
   */
  boolean isGrpcFailure(GrpcStatus grpcStatus) {
    return isGrpcFailure(config, grpcStatus);
  }

  static boolean isGrpcFailure(BreakerRuleConfig config, GrpcStatus grpcStatus) {
    return grpcStatus != null && config.grpcStatuses().contains(grpcStatus.name());
  }

  /** Whether a rule of this config must see successes too (a percentage rule). */
  static boolean countsRequests(BreakerRuleConfig config) {
    return config.count() == null;
  }

  /** Only percentage rules need to see successes. */
  boolean countsRequests() {
    return requests != null;
  }

  void recordRequest(long now) {
    requests.add(now, 1);
  }

  /**
   * Records a failure (the request was already recorded) and answers whether the rule now trips.
   */
  synchronized boolean recordFailureAndCheck(long now) {
    if (failureTimes != null) {
      failureTimes[next] = now;
      next = (next + 1) % failureTimes.length;
      filled = Math.min(filled + 1, failureTimes.length);
      // full ring: the oldest of the last `count` failures is the one about to be overwritten
      return filled == failureTimes.length && now - failureTimes[next] <= intervalNanos;
    }
    failures.add(now, 1);
    long total = requests.sum(now);
    long failed = failures.sum(now);
    return total >= config.minimumRequests() && failed * 100 >= (long) config.percentage() * total;
  }

  synchronized void reset() {
    next = 0;
    filled = 0;
    if (requests != null) {
      requests.clear();
      failures.clear();
    }
  }

  @Override
  public String toString() {
    return config.name()
        + (config.count() != null
            ? " (" + config.count() + " failures"
            : " (" + config.percentage() + "%")
        + " in "
        + TimeUnit.NANOSECONDS.toMillis(intervalNanos)
        + " ms)";
  }
}
