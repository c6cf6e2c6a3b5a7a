package dev.portico.gateway.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This gateway's own rate-limit buckets and quota counters, one table per limit (calls and period),
 * each bounded in keys. Tables outlive configuration reloads: a reload that keeps a limit keeps its
 * counters.
 *
 * <p>Bounded memory against key spraying: a table holds at most {@code maxKeys} keys. Caffeine's
 * W-TinyLFU admission keeps the frequently used keys when a client sprays one-off keys, and a
 * bucket not touched for a whole period is dropped, which loses nothing: it would be full again.
 */
public final class LocalLimits {

  private final int maxKeys;
  private final LongSupplier nanoTime;
  private final Map<String, TokenBuckets> buckets = new ConcurrentHashMap<>();
  private final Map<String, QuotaCounters> quotas = new ConcurrentHashMap<>();

  public LocalLimits(int maxKeys, LongSupplier nanoTime) {
    this.maxKeys = maxKeys;
    this.nanoTime = nanoTime;
  }

  /**
   * The buckets of limit {@code calls} per {@code period}, shared by every policy with that limit
   * (APIM: one counter per key value).
   */
  public TokenBuckets buckets(String kind, long calls, Duration period) {
    return buckets.computeIfAbsent(
        kind + ':' + calls + ':' + period.toNanos(),
        k -> new TokenBuckets(calls, period, maxKeys, nanoTime));
  }

  public QuotaCounters quotas(String limitId, Duration period) {
    return quotas.computeIfAbsent(limitId, k -> new QuotaCounters(period, maxKeys));
  }

  /**
   * Token buckets of one limit: capacity {@code calls}, refilled continuously so that a full period
   * refills it whole.
   */
  public static final class TokenBuckets {
    private final double capacity;
    private final double tokensPerNano;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final Cache<String, Bucket> table;

    TokenBuckets(long calls, Duration period, int maxKeys, LongSupplier nanoTime) {
      this.capacity = calls;
      this.periodNanos = period.toNanos();
      this.tokensPerNano = calls / (double) periodNanos;
      this.nanoTime = nanoTime;
      this.table = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(period).build();
    }

    /**
     * Takes {@code cost} tokens from {@code key}'s bucket when it has them ({@code take}), or only
     * looks ({@code !take}).
     *
     * @return the whole tokens left (&ge; 0) when allowed; otherwise {@code -1 - nanos} until
     *     enough tokens are back
     */
    public long acquire(String key, int cost, boolean take) {
      Bucket b = table.get(key, NEW_BUCKET);
      long now = nanoTime.getAsLong();
      synchronized (b) {
        if (b.last == Long.MIN_VALUE) {
          b.tokens = capacity;
        } else if (now > b.last) {
          b.tokens = Math.min(capacity, b.tokens + (now - b.last) * tokensPerNano);
        }
        b.last = now;
        if (b.tokens >= cost) {
          if (take) {
            b.tokens -= cost;
          }
          return (long) b.tokens;
        }
        double missing = cost - b.tokens;
        return -1 - (long) Math.ceil(missing / tokensPerNano);
      }
    }

    /** Nanoseconds until a bucket with {@code remaining} whole tokens is full again. */
    public long nanosUntilFull(long remaining) {
      return (long) Math.ceil((capacity - remaining) / tokensPerNano);
    }

    public long size() {
      table.cleanUp();
      return table.estimatedSize();
    }

    long periodNanos() {
      return periodNanos;
    }
  }

  private static final java.util.function.Function<String, Bucket> NEW_BUCKET = k -> new Bucket();

  private static final class Bucket {
    double tokens;
    long last = Long.MIN_VALUE;
  }

  /** Fixed-window counters of one quota: calls and bytes per key in the current window. */
  public static final class QuotaCounters {
    private final Cache<String, Counter> table;

    QuotaCounters(Duration period, int maxKeys) {
      Caffeine<Object, Object> b = Caffeine.newBuilder().maximumSize(maxKeys);
      if (!period.isZero()) {
        b.expireAfterAccess(period);
      }
      this.table = b.build();
    }

    /**
     * In window {@code window} of {@code key}: whether {@code addCalls} more calls stay within
     * {@code callLimit} and the bytes so far are under {@code byteLimit} (negative: no limit); when
     * they do and {@code count}, the calls are added.
     */
    public boolean check(
        String key, long window, long callLimit, long byteLimit, long addCalls, boolean count) {
      Counter c = table.get(key, NEW_COUNTER);
      synchronized (c) {
        roll(c, window);
        if (callLimit >= 0 && c.calls + addCalls > callLimit
            || byteLimit >= 0 && c.bytes >= byteLimit) {
          return false;
        }
        if (count) {
          c.calls += addCalls;
        }
        return true;
      }
    }

    /** Adds what a finished request used. */
    public void add(String key, long window, long calls, long bytes) {
      Counter c = table.get(key, NEW_COUNTER);
      synchronized (c) {
        roll(c, window);
        c.calls += calls;
        c.bytes += bytes;
      }
    }

    private static void roll(Counter c, long window) {
      if (c.window != window) {
        c.window = window;
        c.calls = 0;
        c.bytes = 0;
      }
    }
  }

  private static final java.util.function.Function<String, Counter> NEW_COUNTER =
      k -> new Counter();

  private static final class Counter {
    long window = Long.MIN_VALUE;
    long calls;
    long bytes;
  }
}
