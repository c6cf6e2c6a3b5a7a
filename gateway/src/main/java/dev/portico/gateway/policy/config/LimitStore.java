package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * Where a rate limit or quota keeps its counters.
 *
 * @param type {@code local} (this gateway's memory, the default) or {@code redis} (fleet-wide, the
 *     shared registry's Redis)
 * @param timeout bound on one Redis call (default 50 ms); a slower answer counts as a failure
 * @param onFailure when Redis fails or is slow: {@code local} (decide with this gateway's own
 *     bucket, the default), {@code open} (let the request through) or {@code closed} (refuse it,
 *     503)
 * @param retryAfter after a failure, how long Redis is left alone before it is asked again (default
 *     1 s)
 */
public record LimitStore(
    String type,
    @JsonDeserialize(using = FlexibleDuration.class) Duration timeout,
    @JsonProperty("on-failure") String onFailure,
    @JsonProperty("retry-after") @JsonDeserialize(using = FlexibleDuration.class)
        Duration retryAfter) {

  public static final LimitStore LOCAL = new LimitStore(null, null, null, null);

  public LimitStore {
    type = type == null ? "local" : type;
    timeout = timeout == null ? Duration.ofMillis(50) : timeout;
    onFailure = onFailure == null ? "local" : onFailure;
    retryAfter = retryAfter == null ? Duration.ofSeconds(1) : retryAfter;
  }

  public boolean redis() {
    return "redis".equals(type);
  }

  void validate(String at, PolicyConfig.Problems problems) {
    if (!type.equals("local") && !type.equals("redis")) {
      problems.add(at + ".type", "must be 'local' or 'redis', got '" + type + "'");
    }
    if (!onFailure.equals("local") && !onFailure.equals("open") && !onFailure.equals("closed")) {
      problems.add(
          at + ".on-failure", "must be 'local', 'open' or 'closed', got '" + onFailure + "'");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
      problems.add(at + ".timeout", "must be more than 0 and at most 10 s, got " + timeout);
    }
    if (retryAfter.isNegative()) {
      problems.add(at + ".retry-after", "must not be negative");
    }
  }
}
