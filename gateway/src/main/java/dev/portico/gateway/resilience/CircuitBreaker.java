package dev.portico.gateway.resilience;

import dev.portico.gateway.config.CircuitBreakerConfig;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The circuit breaker of one backend endpoint, with APIM's rules: each rule counts failures
 * (status ranges, error reasons) within its interval, by count or percentage; a rule that trips
 * opens the breaker for its trip duration, or for the backend's {@code Retry-After} when the rule
 * accepts it (capped). When the open time ends, up to {@code halfOpenRequests} probes pass: the
 * first success closes the breaker, a failure re-opens it.
 *
 * <p>Thread-safe and lock-free on the request path: permission is one volatile read while
 * closed; successes touch only atomic counters (and only for percentage rules); failures take a
 * short per-rule lock.
 */
public final class CircuitBreaker {

  /** What {@link #tryAcquire} granted. */
  public enum Permit {
    /** Refused: the breaker is open (or half-open with all probe slots taken). */
    DENIED,
    /** A normal request of a closed breaker. */
    NORMAL,
    /** One of the bounded probes of a half-open breaker. */
    PROBE
  }

  private record Status(BreakerState state, long openUntil, String rule, long tripNanos) {
  }

  private static final Status CLOSED = new Status(BreakerState.CLOSED, 0, null, 0);

  private final String backend;
  private final String endpoint;
  private final FailureRule[] rules;
  private final int halfOpenRequests;
  private final long maxRetryAfterNanos;
  private final Consumer<BreakerTransition> listener;
  private final AtomicReference<Status> status = new AtomicReference<>(CLOSED);
  private final AtomicInteger probes = new AtomicInteger();
  private final boolean countsRequests;
  /** Set when the endpoint left its backend: requests still in flight must not revive its meters. */
  private volatile boolean retired;

  public CircuitBreaker(String backend, String endpoint, CircuitBreakerConfig config, Consumer<BreakerTransition> listener) {
    this.backend = backend;
    this.endpoint = endpoint;
    this.rules = config.rules().stream().map(FailureRule::new).toArray(FailureRule[]::new);
    this.halfOpenRequests = config.halfOpenRequests();
    this.maxRetryAfterNanos = config.maxRetryAfter().toNanos();
    this.listener = listener;
    boolean any = false;
    for (FailureRule r : rules) {
      any |= r.countsRequests();
    }
    this.countsRequests = any;
  }

  public BreakerState state() {
    return status.get().state();
  }

  /** Whether a request could be let through now, without taking a permit. */
  public boolean isAvailable(long now) {
    Status s = status.get();
    return switch (s.state()) {
      case CLOSED -> true;
      case OPEN -> now >= s.openUntil();
      case HALF_OPEN -> probes.get() < halfOpenRequests;
    };
  }

  /** Nanoseconds until the breaker lets a probe through; 0 when it would let a request through now. */
  public long remainingOpenNanos(long now) {
    Status s = status.get();
    if (s.state() == BreakerState.OPEN) {
      return Math.max(0, s.openUntil() - now);
    }
    return 0;
  }

  public Permit tryAcquire(long now) {
    while (true) {
      Status s = status.get();
      switch (s.state()) {
        case CLOSED:
          return Permit.NORMAL;
        case OPEN:
          if (now < s.openUntil()) {
            return Permit.DENIED;
          }
          Status half = new Status(BreakerState.HALF_OPEN, 0, s.rule(), s.tripNanos());
          if (status.compareAndSet(s, half)) {
            probes.set(0);
            publish(BreakerState.OPEN, BreakerState.HALF_OPEN, null, 0);
          }
          continue;
        default:
          int n = probes.incrementAndGet();
          if (n <= halfOpenRequests && status.get() == s) {
            return Permit.PROBE;
          }
          probes.decrementAndGet();
          return Permit.DENIED;
      }
    }
  }

  /**
   * Records the outcome of a permitted request: {@code status} &gt; 0 for a response, else the
   * error {@code reason}. {@code retryAfterNanos} is the backend's Retry-After on a 429/503, or -1.
   */
  public void onResult(Permit permit, long now, int httpStatus, String reason, long retryAfterNanos) {
    if (permit == Permit.DENIED) {
      return;
    }
    FailureRule tripped = null;
    boolean failed = false;
    for (FailureRule r : rules) {
      if (permit == Permit.NORMAL && r.countsRequests()) {
        r.recordRequest(now);
      }
      if (r.isFailure(httpStatus, reason)) {
        failed = true;
        if (permit == Permit.NORMAL && r.recordFailureAndCheck(now) && tripped == null) {
          tripped = r;
        }
        if (permit == Permit.PROBE && tripped == null) {
          tripped = r;
        }
      }
    }
    if (permit == Permit.PROBE) {
      probes.decrementAndGet();
      Status s = status.get();
      if (s.state() != BreakerState.HALF_OPEN) {
        return;
      }
      if (failed) {
        open(s, tripped, now, retryAfterNanos);
      } else if (status.compareAndSet(s, CLOSED)) {
        resetRules();
        publish(BreakerState.HALF_OPEN, BreakerState.CLOSED, null, 0);
      }
    } else if (tripped != null) {
      Status s = status.get();
      if (s.state() == BreakerState.CLOSED) {
        open(s, tripped, now, retryAfterNanos);
      }
    }
  }

  /** A permitted request ended without an outcome (the client left): frees a probe slot, counts nothing. */
  public void release(Permit permit) {
    if (permit == Permit.PROBE) {
      probes.decrementAndGet();
    }
  }

  /** Closes the breaker now, whatever its state (APIM's backend reconnect). */
  public void reset() {
    Status s = status.getAndSet(CLOSED);
    probes.set(0);
    resetRules();
    if (s.state() != BreakerState.CLOSED) {
      publish(s.state(), BreakerState.CLOSED, null, 0);
    }
  }

  public boolean hasRules() {
    return rules.length > 0;
  }

  boolean countsRequests() {
    return countsRequests;
  }

  private void open(Status from, FailureRule rule, long now, long retryAfterNanos) {
    long trip = rule.tripNanos;
    if (rule.config.acceptRetryAfter() && retryAfterNanos >= 0) {
      trip = Math.min(retryAfterNanos, maxRetryAfterNanos);
    }
    Status open = new Status(BreakerState.OPEN, now + trip, rule.config.name(), trip);
    if (status.compareAndSet(from, open)) {
      publish(from.state(), BreakerState.OPEN, rule.config.name(), trip);
    }
  }

  private void resetRules() {
    for (FailureRule r : rules) {
      r.reset();
    }
  }

  /** The endpoint left its backend: this breaker announces no further transitions. */
  public void retire() {
    retired = true;
  }

  private void publish(BreakerState from, BreakerState to, String rule, long tripNanos) {
    if (retired) {
      return;
    }
    listener.accept(new BreakerTransition(backend, endpoint, from, to, Instant.now(), rule,
      (TimeUnit.NANOSECONDS.toMillis(tripNanos) + 999) / 1000));
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + backend + " " + endpoint + " " + status.get().state() + "]";
  }
}
