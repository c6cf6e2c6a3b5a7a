package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.PolicyEvents;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Keeps a limit from waiting on a Redis that is failing: after a failed or late call, Redis is left
 * alone for {@code retryAfter} (the decision is made by the configured fallback meanwhile), then
 * asked again. Every failure is reported.
 */
final class StoreGuard {

  private final AtomicLong skipUntil = new AtomicLong(Long.MIN_VALUE);
  private final long retryAfterNanos;
  private final LongSupplier nanoTime;
  private final PolicyEvents events;
  private final String location;

  StoreGuard(long retryAfterNanos, LongSupplier nanoTime, PolicyEvents events, String location) {
    this.retryAfterNanos = retryAfterNanos;
    this.nanoTime = nanoTime;
    this.events = events;
    this.location = location;
  }

  /** Whether Redis may be asked now; when not, reports the skipped call. */
  boolean mayAsk() {
    long until = skipUntil.get();
    if (until == Long.MIN_VALUE || nanoTime.getAsLong() - until >= 0) {
      return true;
    }
    events.storeFailure(location, PolicyEvents.StoreFailure.SKIPPED);
    return false;
  }

  void failed(Throwable cause) {
    skipUntil.set(nanoTime.getAsLong() + retryAfterNanos);
    events.storeFailure(
        location,
        cause instanceof TimeoutException
            ? PolicyEvents.StoreFailure.TIMEOUT
            : PolicyEvents.StoreFailure.ERROR);
  }

  void succeeded() {
    if (skipUntil.get() != Long.MIN_VALUE) {
      skipUntil.set(Long.MIN_VALUE);
    }
  }
}
