package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.Completion;
import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyEnvironment;
import dev.portico.gateway.policy.PolicyEvents;
import dev.portico.gateway.policy.PolicyEvents.LimitDecision;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.IncrementCondition;
import dev.portico.gateway.policy.config.RateLimitByKeyConfig;
import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Future;
import java.util.function.LongSupplier;

/**
 * {@code rate-limit-by-key}: a token bucket per key, in this gateway ({@code store: local}) or in
 * Redis for the fleet ({@code store: redis}). Without an increment condition a request takes its
 * tokens when it arrives; with one it is only checked on arrival and takes them when its status is
 * known (so concurrent requests may overshoot a little, as APIM's deferred counting does).
 */
public final class RateLimitPolicy implements Policy {

  private static final String STORE_LOCAL = "local";
  private static final String STORE_REDIS = "redis";

  private final String location;
  private final RateLimitByKeyConfig config;
  private final Template counterKey;
  private final int cost;
  private final int calls;
  private final long periodMillis;
  private final IncrementCondition condition;
  private final LocalLimits.TokenBuckets local;
  private final RedisLimits redis;
  private final String redisPrefix;
  private final StoreGuard guard;
  private final String onFailure;
  private final long timeoutMillis;
  private final PolicyEvents events;
  private final LongSupplier nanoTime;
  private final RateLimitHeaders headers;
  private final boolean headersOnSuccess;

  public RateLimitPolicy(
      String location, RateLimitByKeyConfig config, Template counterKey, PolicyEnvironment env) {
    this.location = location;
    this.config = config;
    this.counterKey = counterKey;
    this.cost = config.incrementCount();
    this.calls = config.calls();
    this.periodMillis = Math.max(1, config.renewalPeriod().toMillis());
    this.condition = config.incrementCondition();
    this.local = env.localLimits().buckets("rate", calls, config.renewalPeriod());
    this.redis = config.store().redis() ? env.redisLimits() : null;
    this.redisPrefix =
        redis == null ? null : redis.prefix() + "rate:" + calls + ":" + periodMillis + ":";
    this.nanoTime = env.nanoTime();
    this.events = env.events();
    this.guard = new StoreGuard(config.store().retryAfter().toNanos(), nanoTime, events, location);
    this.onFailure = config.store().onFailure();
    this.timeoutMillis = Math.max(1, config.store().timeout().toMillis());
    this.headers =
        new RateLimitHeaders(
            config.rateLimitHeaders(),
            config.quotaName(),
            calls,
            config.renewalPeriod(),
            config.retryAfterHeaderName(),
            config.remainingCallsHeaderName(),
            config.totalCallsHeaderName());
    this.headersOnSuccess =
        config.rateLimitHeadersOnSuccess()
            || config.remainingCallsHeaderName() != null
            || config.totalCallsHeaderName() != null;
  }

  @Override
  public String name() {
    return RateLimitByKeyConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String key = Keys.bounded(counterKey.evaluate(request));
    boolean take = condition == null;
    if (redis == null) {
      return PolicyOutcome.now(decideLocally(key, take, STORE_LOCAL, null));
    }
    if (!guard.mayAsk()) {
      return PolicyOutcome.now(storeFailed(key, take));
    }
    return redis
        .tokenBucket(redisPrefix + key, calls, periodMillis, cost, take, timeoutMillis)
        .<PolicyOutcome>map(
            r -> {
              guard.succeeded();
              return r[0] == 1
                  ? allowed(r[1], STORE_REDIS, null)
                  : limited(r[2] * 1000L, STORE_REDIS, LimitDecision.LIMITED);
            })
        .otherwise(
            e -> {
              guard.failed(e);
              return storeFailed(key, take);
            });
  }

  private PolicyOutcome decideLocally(
      String key, boolean take, String store, LimitDecision failure) {
    long r = local.acquire(key, cost, take);
    if (r >= 0) {
      return allowed(r, store, failure);
    }
    return limited(-1 - r, store, failure == null ? LimitDecision.LIMITED : failure);
  }

  private PolicyOutcome storeFailed(String key, boolean take) {
    return switch (onFailure) {
      case "open" -> {
        events.limitDecision(name(), location, STORE_REDIS, LimitDecision.STORE_FAILED_OPEN);
        yield PolicyOutcome.CONTINUE;
      }
      case "closed" -> {
        events.limitDecision(name(), location, STORE_REDIS, LimitDecision.STORE_FAILED_CLOSED);
        yield headers.unavailable(config.store().retryAfter());
      }
      default -> decideLocally(key, take, STORE_LOCAL, LimitDecision.STORE_FAILED_LOCAL);
    };
  }

  private PolicyOutcome allowed(long remaining, String store, LimitDecision failure) {
    events.limitDecision(
        name(), location, store, failure == null ? LimitDecision.ALLOWED : failure);
    if (!headersOnSuccess) {
      return PolicyOutcome.CONTINUE;
    }
    return PolicyOutcome.Continue.withResponseHeaders(
        headers.success(remaining, seconds(local.nanosUntilFull(remaining))));
  }

  private PolicyOutcome limited(long waitNanos, String store, LimitDecision decision) {
    events.limitDecision(name(), location, store, decision);
    long seconds = Math.max(1, seconds(waitNanos));
    return new PolicyOutcome.Reject(
        429,
        ErrorReason.RATE_LIMITED.label(),
        "Too many requests",
        "rate limit of "
            + calls
            + " calls per "
            + Durations.text(config.renewalPeriod())
            + " exceeded for this key; retry in "
            + seconds
            + " s",
        headers.limited(seconds));
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }

  @Override
  public boolean needsCompletion() {
    return condition != null;
  }

  @Override
  public void completed(PolicyRequest request, Completion completion) {
    if (condition == null || !condition.matches(completion.status())) {
      return;
    }
    String key = Keys.bounded(counterKey.evaluate(request));
    if (redis == null || !guard.mayAsk()) {
      if (redis == null || onFailure.equals("local")) {
        local.acquire(key, cost, true);
      }
      return;
    }
    redis
        .tokenBucket(redisPrefix + key, calls, periodMillis, cost, true, timeoutMillis)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                guard.succeeded();
              } else {
                guard.failed(ar.cause());
                if (onFailure.equals("local")) {
                  local.acquire(key, cost, true);
                }
              }
            });
  }

  @Override
  public String toString() {
    return name()
        + " at "
        + location
        + " ("
        + calls
        + " calls per "
        + config.renewalPeriod()
        + ", key "
        + counterKey
        + ", store "
        + config.store().type()
        + ")";
  }

  /** Header values of one limit; the constant ones made once. */
  static final class RateLimitHeaders {
    private final String format;
    private final String quotaName;
    private final long limit;
    private final String policyValue;
    private final String retryAfterName;
    private final String remainingName;
    private final String totalName;

    RateLimitHeaders(
        String format,
        String quotaName,
        long limit,
        java.time.Duration window,
        String retryAfterName,
        String remainingName,
        String totalName) {
      this.format = format;
      this.quotaName = quotaName;
      this.limit = limit;
      long w = Math.max(1, (window.toMillis() + 999) / 1000);
      this.policyValue = "\"" + quotaName + "\";q=" + limit + ";w=" + w;
      this.retryAfterName = retryAfterName;
      this.remainingName = remainingName;
      this.totalName = totalName;
    }

    HeaderEdits limited(long retrySeconds) {
      HeaderEdits.Builder b = HeaderEdits.builder();
      if (retryAfterName != null) {
        b.set(retryAfterName, Long.toString(retrySeconds));
      }
      fields(b, 0, retrySeconds);
      return b.build();
    }

    HeaderEdits success(long remaining, long resetSeconds) {
      HeaderEdits.Builder b = HeaderEdits.builder();
      fields(b, remaining, resetSeconds);
      return b.build();
    }

    private void fields(HeaderEdits.Builder b, long remaining, long resetSeconds) {
      switch (format) {
        case "ietf" -> {
          b.set("RateLimit-Policy", policyValue);
          b.set("RateLimit", "\"" + quotaName + "\";r=" + remaining + ";t=" + resetSeconds);
        }
        case "legacy" -> {
          b.set("RateLimit-Limit", Long.toString(limit));
          b.set("RateLimit-Remaining", Long.toString(remaining));
          b.set("RateLimit-Reset", Long.toString(resetSeconds));
        }
        default -> {}
      }
      if (remainingName != null) {
        b.set(remainingName, Long.toString(remaining));
      }
      if (totalName != null) {
        b.set(totalName, Long.toString(limit));
      }
    }

    PolicyOutcome.Reject unavailable(java.time.Duration retryAfter) {
      long s = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      return new PolicyOutcome.Reject(
          503,
          ErrorReason.RATE_LIMITER_UNAVAILABLE.label(),
          "Rate limiter unavailable",
          "the shared rate-limit store did not answer in time and this limit refuses requests it cannot count"
              + " (store.on-failure: closed)",
          HeaderEdits.set("Retry-After", Long.toString(s)));
    }
  }
}
