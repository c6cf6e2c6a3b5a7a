package dev.portico.gateway.policy;

import dev.portico.gateway.policy.internal.JwksSource;
import dev.portico.gateway.policy.internal.LocalLimits;
import dev.portico.gateway.policy.internal.RedisLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What compiled policies share, for the life of the gateway process: counters of the rate limits
 * and quotas (kept across configuration reloads, so a reload does not hand every client a fresh
 * bucket), JWKS key sets by URL, the HTTP client that fetches them, the Redis client of fleet-wide
 * limits, the named values, and the metric hooks. Thread-safe. {@link #close()} when the gateway
 * stops.
 */
public final class PolicyEnvironment implements AutoCloseable {

  private final Vertx vertx;
  private final Function<String, String> namedValues;
  private final Redis redis;
  private final PolicyEvents events;
  private final int trustedProxyDepth;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final int maxKeysPerLimit;
  private final LocalLimits localLimits;
  private final RedisLimits redisLimits;
  private final Map<String, JwksSource> jwksSources = new ConcurrentHashMap<>();
  private volatile HttpClientAgent httpClient;

  private PolicyEnvironment(Builder b) {
    this.vertx = Objects.requireNonNull(b.vertx, "vertx");
    this.namedValues = b.namedValues;
    this.redis = b.redis;
    this.events = b.events;
    this.trustedProxyDepth = b.trustedProxyDepth;
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.maxKeysPerLimit = b.maxKeysPerLimit;
    this.localLimits = new LocalLimits(maxKeysPerLimit, nanoTime);
    this.redisLimits = redis == null ? null : new RedisLimits(redis, b.redisKeyPrefix);
  }

  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The named value {@code name}, or {@code null} when there is none. */
  public String namedValue(String name) {
    return namedValues.apply(name);
  }

  public Function<String, String> namedValues() {
    return namedValues;
  }

  /** Whether fleet-wide ({@code store: redis}) limits can be compiled. */
  public boolean hasRedis() {
    return redis != null;
  }

  public PolicyEvents events() {
    return events;
  }

  public int trustedProxyDepth() {
    return trustedProxyDepth;
  }

  public Clock clock() {
    return clock;
  }

  public LongSupplier nanoTime() {
    return nanoTime;
  }

  /** Local buckets and quota counters (internal). */
  public LocalLimits localLimits() {
    return localLimits;
  }

  /** The fleet-wide store (internal); {@code null} without Redis. */
  public RedisLimits redisLimits() {
    return redisLimits;
  }

  /** The key source for {@code url}, shared by every validate-jwt policy naming it (internal). */
  public JwksSource jwksSource(String key, Function<String, JwksSource> create) {
    return jwksSources.computeIfAbsent(key, create);
  }

  /** The HTTP client that fetches key sets, made on first use. */
  public HttpClientAgent httpClient() {
    HttpClientAgent c = httpClient;
    if (c == null) {
      synchronized (this) {
        c = httpClient;
        if (c == null) {
          c =
              vertx.createHttpClient(
                  new HttpClientOptions()
                      .setConnectTimeout(5000)
                      .setKeepAlive(true)
                      .setMaxRedirects(0));
          httpClient = c;
        }
      }
    }
    return c;
  }

  @Override
  public void close() {
    HttpClientAgent c = httpClient;
    if (c != null) {
      c.close();
    }
  }

  /** Closes the HTTP client; the Redis client belongs to whoever made it. */
  public Future<Void> closeAsync() {
    HttpClientAgent c = httpClient;
    return c == null ? Future.succeededFuture() : c.close();
  }

  public static final class Builder {
    private final Vertx vertx;
    private Function<String, String> namedValues = name -> null;
    private Redis redis;
    private String redisKeyPrefix = "portico:limit:";
    private PolicyEvents events = PolicyEvents.NONE;
    private int trustedProxyDepth;
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;
    private int maxKeysPerLimit = 100_000;

    private Builder(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Named values by name (resolved into templates when policies are compiled). */
    public Builder namedValues(Map<String, String> values) {
      Map<String, String> copy = Map.copyOf(values);
      this.namedValues = copy::get;
      return this;
    }

    /**
     * Named values looked up by {@code values} when policies compile: a gateway whose named values
     * a reload may change passes a lookup of the configuration in force (the environment outlives
     * reloads).
     */
    public Builder namedValues(Function<String, String> values) {
      this.namedValues = Objects.requireNonNull(values);
      return this;
    }

    /** The Redis client of fleet-wide limits (the shared registry's server). */
    public Builder redis(Redis redis) {
      this.redis = redis;
      return this;
    }

    /** Prefix of the Redis keys of limit counters (default {@code portico:limit:}). */
    public Builder redisKeyPrefix(String prefix) {
      this.redisKeyPrefix = prefix;
      return this;
    }

    public Builder events(PolicyEvents events) {
      this.events = events;
      return this;
    }

    /**
     * Proxies in front of the gateway that append to X-Forwarded-For (0: the client is the
     * connection's peer).
     */
    public Builder trustedProxyDepth(int depth) {
      if (depth < 0) {
        throw new IllegalArgumentException("trustedProxyDepth must not be negative");
      }
      this.trustedProxyDepth = depth;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Monotonic time of the local buckets (tests drive it). */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = nanoTime;
      return this;
    }

    /**
     * Keys each local limit remembers at most (default 100,000); beyond, the least useful are
     * forgotten.
     */
    public Builder maxKeysPerLimit(int max) {
      this.maxKeysPerLimit = max;
      return this;
    }

    public PolicyEnvironment build() {
      return new PolicyEnvironment(this);
    }
  }
}
