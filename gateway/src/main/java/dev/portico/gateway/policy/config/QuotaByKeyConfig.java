package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.time.Instant;

/**
 * APIM's {@code quota-by-key}: a call volume and/or bandwidth allowance per key over a fixed window
 * of {@code renewal-period} (counted from {@code first-period-start}; 0 means never renewed); over
 * it, 403 with {@code Retry-After} until the window ends.
 *
 * @param calls calls allowed per period (at least one of calls and bandwidth)
 * @param bandwidth kilobytes (1024 bytes) of request and response bodies per period
 * @param renewalPeriod window length (seconds or ISO 8601); 0 for a lifetime quota
 * @param counterKey template of the key (default {@code {request.ip}})
 * @param incrementCondition count only requests whose final status is in these ranges
 * @param incrementCount calls one request counts for (default 1)
 * @param firstPeriodStart start of the first window (default 0001-01-01T00:00:00Z as in APIM, which
 *     aligns windows of whole days to midnight UTC)
 * @param store where the counters live ({@code local} by default; {@code redis} for a fleet-wide
 *     quota)
 */
public record QuotaByKeyConfig(
    Long calls,
    Long bandwidth,
    @JsonProperty("renewal-period") @JsonDeserialize(using = FlexibleDuration.class)
        Duration renewalPeriod,
    @JsonProperty("counter-key") String counterKey,
    @JsonProperty("increment-condition") IncrementCondition incrementCondition,
    @JsonProperty("increment-count") Integer incrementCount,
    @JsonProperty("first-period-start") String firstPeriodStart,
    LimitStore store)
    implements PolicyConfig {

  public static final String NAME = "quota-by-key";
  public static final Instant APIM_EPOCH = Instant.parse("0001-01-01T00:00:00Z");

  public QuotaByKeyConfig {
    counterKey = counterKey == null ? "{request.ip}" : counterKey;
    incrementCount = incrementCount == null ? 1 : incrementCount;
    store = store == null ? LimitStore.LOCAL : store;
  }

  @Override
  public String policyName() {
    return NAME;
  }

  /** {@code first-period-start} parsed (validated by {@link #validate}). */
  public Instant periodStart() {
    if (firstPeriodStart == null) {
      return APIM_EPOCH;
    }
    try {
      return Instant.parse(firstPeriodStart);
    } catch (RuntimeException e) {
      return APIM_EPOCH;
    }
  }

  @Override
  public void validate(String at, Problems problems) {
    if (calls == null && bandwidth == null) {
      problems.add(at, "give calls, bandwidth or both");
    }
    if (calls != null && calls < 1) {
      problems.add(at + ".calls", "must be at least 1, got " + calls);
    }
    if (bandwidth != null && bandwidth < 1) {
      problems.add(at + ".bandwidth", "must be at least 1 (kilobytes), got " + bandwidth);
    }
    if (renewalPeriod == null) {
      problems.add(
          at + ".renewal-period", "required field is missing (0 for a quota that never renews)");
    } else if (renewalPeriod.isNegative()
        || !renewalPeriod.isZero() && renewalPeriod.getSeconds() < 1) {
      problems.add(
          at + ".renewal-period",
          "must be 0 (never renews) or at least 1 second, got " + renewalPeriod);
    }
    if (incrementCount < 1) {
      problems.add(at + ".increment-count", "must be at least 1, got " + incrementCount);
    }
    if (firstPeriodStart != null) {
      try {
        Instant.parse(firstPeriodStart);
      } catch (RuntimeException e) {
        problems.add(
            at + ".first-period-start",
            "'" + firstPeriodStart + "' is not a UTC date-time such as 2024-01-01T00:00:00Z");
      }
    }
    Validation.statusRanges(at + ".increment-condition", incrementCondition, problems);
    store.validate(at + ".store", problems);
  }
}
