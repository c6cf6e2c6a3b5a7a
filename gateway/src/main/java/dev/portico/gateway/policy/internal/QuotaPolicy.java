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
import dev.portico.gateway.policy.config.QuotaByKeyConfig;
import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Future;
import java.time.Clock;

/**
 * {@code quota-by-key}: calls and/or bandwidth per key in fixed windows of {@code renewal-period}
 * counted from {@code first-period-start} (wall-clock time, so every gateway of a fleet agrees on
 * the windows). Calls are counted on arrival unless an increment condition defers them to the
 * response; bytes (request plus response bodies) are added when the request ends, so the request
 * that crosses the bandwidth allowance completes and the next ones are refused.
 */
public final class QuotaPolicy implements Policy {

  private final String location;
  private final QuotaByKeyConfig config;
  private final Template counterKey;
  private final long callLimit;
  private final long byteLimit;
  private final int cost;
  private final long periodMillis;
  private final long startMillis;
  private final IncrementCondition condition;
  private final LocalLimits.QuotaCounters local;
  private final RedisLimits redis;
  private final String redisPrefix;
  private final StoreGuard guard;
  private final String onFailure;
  private final long timeoutMillis;
  private final PolicyEvents events;
  private final Clock clock;

  public QuotaPolicy(
      String location, QuotaByKeyConfig config, Template counterKey, PolicyEnvironment env) {
    this.location = location;
    this.config = config;
    this.counterKey = counterKey;
    this.callLimit = config.calls() == null ? -1 : config.calls();
    this.byteLimit = config.bandwidth() == null ? -1 : config.bandwidth() * 1024;
    this.cost = config.incrementCount();
    this.periodMillis = config.renewalPeriod().toMillis();
    this.startMillis = config.periodStart().toEpochMilli();
    this.condition = config.incrementCondition();
    String limitId = callLimit + ":" + byteLimit + ":" + periodMillis + ":" + startMillis;
    this.local = env.localLimits().quotas(limitId, config.renewalPeriod());
    this.redis = config.store().redis() ? env.redisLimits() : null;
    this.redisPrefix = redis == null ? null : redis.prefix() + "quota:" + limitId + ":";
    this.events = env.events();
    this.clock = env.clock();
    this.guard =
        new StoreGuard(config.store().retryAfter().toNanos(), env.nanoTime(), events, location);
    this.onFailure = config.store().onFailure();
    this.timeoutMillis = Math.max(1, config.store().timeout().toMillis());
  }

  @Override
  public String name() {
    return QuotaByKeyConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  private long window(long now) {
    return periodMillis == 0 ? 0 : Math.floorDiv(now - startMillis, periodMillis);
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String key = Keys.bounded(counterKey.evaluate(request));
    long now = clock.millis();
    long window = window(now);
    long addCalls = condition == null && callLimit >= 0 ? cost : 0;
    if (redis == null) {
      return PolicyOutcome.now(local(key, window, now, addCalls, "local", null));
    }
    if (!guard.mayAsk()) {
      return PolicyOutcome.now(storeFailed(key, window, now, addCalls));
    }
    return redis
        .quota(
            redisPrefix + window + ":" + key,
            callLimit,
            byteLimit,
            addCalls,
            0,
            true,
            ttl(),
            timeoutMillis)
        .<PolicyOutcome>map(
            r -> {
              guard.succeeded();
              return decided(r[0] == 1, now, "redis", null);
            })
        .otherwise(
            e -> {
              guard.failed(e);
              return storeFailed(key, window, now, addCalls);
            });
  }

  private long ttl() {
    // a window's counters are kept a minute past its end (clocks of a fleet differ a little); a
    // lifetime quota forever
    return periodMillis == 0 ? 0 : periodMillis + 60_000;
  }

  private PolicyOutcome local(
      String key, long window, long now, long addCalls, String store, LimitDecision failure) {
    boolean ok = local.check(key, window, callLimit, byteLimit, addCalls, true);
    return decided(ok, now, store, failure);
  }

  private PolicyOutcome storeFailed(String key, long window, long now, long addCalls) {
    return switch (onFailure) {
      case "open" -> {
        events.limitDecision(name(), location, "redis", LimitDecision.STORE_FAILED_OPEN);
        yield PolicyOutcome.CONTINUE;
      }
      case "closed" -> {
        events.limitDecision(name(), location, "redis", LimitDecision.STORE_FAILED_CLOSED);
        long s = Math.max(1, (config.store().retryAfter().toMillis() + 999) / 1000);
        yield new PolicyOutcome.Reject(
            503,
            ErrorReason.RATE_LIMITER_UNAVAILABLE.label(),
            "Rate limiter unavailable",
            "the shared quota store did not answer in time and this quota refuses requests it cannot count"
                + " (store.on-failure: closed)",
            HeaderEdits.set("Retry-After", Long.toString(s)));
      }
      default -> local(key, window, now, addCalls, "local", LimitDecision.STORE_FAILED_LOCAL);
    };
  }

  private PolicyOutcome decided(boolean ok, long now, String store, LimitDecision failure) {
    if (ok) {
      events.limitDecision(
          name(), location, store, failure == null ? LimitDecision.ALLOWED : failure);
      return PolicyOutcome.CONTINUE;
    }
    events.limitDecision(
        name(), location, store, failure == null ? LimitDecision.LIMITED : failure);
    HeaderEdits headers = HeaderEdits.NONE;
    String when = "";
    if (periodMillis > 0) {
      long end = startMillis + (Math.floorDiv(now - startMillis, periodMillis) + 1) * periodMillis;
      long seconds = Math.max(1, (end - now + 999) / 1000);
      headers = HeaderEdits.set("Retry-After", Long.toString(seconds));
      when = "; it renews in " + seconds + " s";
    }
    return new PolicyOutcome.Reject(
        403,
        ErrorReason.QUOTA_EXCEEDED.label(),
        "Quota exceeded",
        "the quota of " + describe() + " for this key is used up" + when,
        headers);
  }

  private String describe() {
    String per = periodMillis == 0 ? "" : " per " + Durations.text(config.renewalPeriod());
    if (callLimit >= 0 && byteLimit >= 0) {
      return callLimit + " calls and " + config.bandwidth() + " KB" + per;
    }
    return (callLimit >= 0 ? callLimit + " calls" : config.bandwidth() + " KB") + per;
  }

  @Override
  public boolean needsCompletion() {
    return condition != null || byteLimit >= 0;
  }

  @Override
  public void completed(PolicyRequest request, Completion completion) {
    boolean counts = condition == null || condition.matches(completion.status());
    if (!counts) {
      return;
    }
    long addCalls = condition != null && callLimit >= 0 ? cost : 0;
    long addBytes =
        byteLimit >= 0
            ? Math.max(0, completion.requestBytes()) + Math.max(0, completion.responseBytes())
            : 0;
    if (addCalls == 0 && addBytes == 0) {
      return;
    }
    String key = Keys.bounded(counterKey.evaluate(request));
    long window = window(clock.millis());
    if (redis == null || !guard.mayAsk()) {
      if (redis == null || onFailure.equals("local")) {
        local.add(key, window, addCalls, addBytes);
      }
      return;
    }
    redis
        .quota(
            redisPrefix + window + ":" + key,
            callLimit,
            byteLimit,
            addCalls,
            addBytes,
            false,
            ttl(),
            timeoutMillis)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                guard.succeeded();
              } else {
                guard.failed(ar.cause());
                if (onFailure.equals("local")) {
                  local.add(key, window, addCalls, addBytes);
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
        + describe()
        + ", key "
        + counterKey
        + ", store "
        + config.store().type()
        + ")";
  }
}
