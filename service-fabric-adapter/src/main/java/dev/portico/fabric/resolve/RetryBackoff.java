package dev.portico.fabric.resolve;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before re-resolving and resending, by Service Fabric's two formulas. Both are
 * randomised so that many callers failing together do not retry together (the constant 2 s back-off
 * Service Fabric once used caused retry storms). Pass a {@link RandomGenerator} to make them
 * deterministic in tests.
 */
public final class RetryBackoff {

  /** The .NET client's random part: [0, 2 s). */
  public static final Duration CLIENT_JITTER = Duration.ofSeconds(2);

  /** The .NET client's growing part starts at 1 s and doubles every third attempt. */
  public static final Duration CLIENT_BASE = Duration.ofSeconds(1);

  /**
   * Portico's cap on the doubling: {@code 1 s << 5} = 32 s. The reference only says the shift is
   * capped; with the client's default of 10 retries the shift never passes 3 anyway.
   */
  public static final int DEFAULT_MAX_SHIFT = 5;

  /** The reverse proxy's back-off: uniform in [0, 5 s]. */
  public static final Duration REVERSE_PROXY_MAX = Duration.ofSeconds(5);

  private RetryBackoff() {}

  /** {@link #client(int, int, RandomGenerator)} with {@link #DEFAULT_MAX_SHIFT}. */
  public static Duration client(int attempt, RandomGenerator random) {
    return client(attempt, DEFAULT_MAX_SHIFT, random);
  }

  /**
   * The .NET client's delay before retry {@code attempt} (0 for the first retry): {@code random[0,
   * 2 s) + (1 s << min(attempt / 3, maxShift))}.
   */
  public static Duration client(int attempt, int maxShift, RandomGenerator random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative, got " + attempt);
    }
    if (maxShift < 0 || maxShift > 30) {
      throw new IllegalArgumentException("maxShift must be within [0, 30], got " + maxShift);
    }
    Objects.requireNonNull(random, "random");
    long jitter = random.nextLong(CLIENT_JITTER.toMillis());
    int shift = Math.min(attempt / 3, maxShift);
    return Duration.ofMillis(jitter + (CLIENT_BASE.toMillis() << shift));
  }

  /** The reverse proxy's delay before each retry: uniform in [0, 5 s], both ends included. */
  public static Duration reverseProxy(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return Duration.ofMillis(random.nextLong(REVERSE_PROXY_MAX.toMillis() + 1));
  }
}
