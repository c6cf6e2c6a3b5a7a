package dev.portico.gateway.resilience;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Event counts over a sliding time window split into buckets, lock-free. A bucket is reused once
 * its time has passed; increments racing with that reset may be lost, which costs at most a few
 * counts at bucket boundaries and never blocks a caller.
 */
final class SlidingCounter {

  private final long bucketNanos;
  private final int buckets;
  private final AtomicLongArray epochs;
  private final AtomicLongArray counts;

  SlidingCounter(long windowNanos, int buckets) {
    this.buckets = buckets;
    this.bucketNanos = Math.max(1, windowNanos / buckets);
    this.epochs = new AtomicLongArray(buckets);
    this.counts = new AtomicLongArray(buckets);
    for (int i = 0; i < buckets; i++) {
      epochs.set(i, Long.MIN_VALUE);
    }
  }

  void add(long nowNanos, long delta) {
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    int slot = (int) Math.floorMod(epoch, buckets);
    long seen = epochs.get(slot);
    if (seen != epoch && epochs.compareAndSet(slot, seen, epoch)) {
      counts.set(slot, 0);
    }
    counts.addAndGet(slot, delta);
  }

  /** The sum over the buckets whose time lies within the window ending at {@code nowNanos}. */
  long sum(long nowNanos) {
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    long total = 0;
    for (int i = 0; i < buckets; i++) {
      long e = epochs.get(i);
      if (e > epoch - buckets && e <= epoch) {
        total += counts.get(i);
      }
    }
    return total;
  }

  void clear() {
    for (int i = 0; i < buckets; i++) {
      epochs.set(i, Long.MIN_VALUE);
      counts.set(i, 0);
    }
  }
}
