package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * APIM's {@code rate-limit-by-key}: at most {@code calls} per {@code renewal-period} for each value
 * of {@code counter-key}, as a token bucket (capacity {@code calls}, refilled continuously at
 * {@code calls / renewal-period}); over the limit, 429.
 *
 * @param calls bucket capacity: calls allowed per period (required, &ge; 1)
 * @param renewalPeriod seconds or ISO 8601 (required; APIM caps it at 300 s, Portico at 1 day)
 * @param counterKey template of the key ({@code {request.ip}}, {@code {claim.sub}}, {@code
 *     {header.X-Api-Key}}, ...); default {@code {request.ip}}
 * @param incrementCondition count only requests whose final status is in these ranges (counted when
 *     the response is known)
 * @param incrementCount tokens one request takes (default 1)
 * @param retryAfterHeaderName header carrying the seconds to wait on a 429 (default {@code
 *     Retry-After})
 * @param remainingCallsHeaderName header with the calls left, on every response (APIM; none by
 *     default)
 * @param totalCallsHeaderName header with {@code calls}, on every response (APIM; none by default)
 * @param rateLimitHeaders {@code ietf} (RateLimit and RateLimit-Policy of
 *     draft-ietf-httpapi-ratelimit-headers-10, the default), {@code legacy} (RateLimit-Limit,
 *     -Remaining, -Reset of draft 06) or {@code none}
 * @param rateLimitHeadersOnSuccess whether successful responses carry them too (default false: only
 *     429s)
 * @param quotaName the quota policy's name in those headers (default {@code default})
 * @param store where the buckets live ({@code local} by default; {@code redis} for a fleet-wide
 *     limit)
 */
public record RateLimitByKeyConfig(
    Integer calls,
    @JsonProperty("renewal-period") @JsonDeserialize(using = FlexibleDuration.class)
        Duration renewalPeriod,
    @JsonProperty("counter-key") String counterKey,
    @JsonProperty("increment-condition") IncrementCondition incrementCondition,
    @JsonProperty("increment-count") Integer incrementCount,
    @JsonProperty("retry-after-header-name") String retryAfterHeaderName,
    @JsonProperty("remaining-calls-header-name") String remainingCallsHeaderName,
    @JsonProperty("total-calls-header-name") String totalCallsHeaderName,
    @JsonProperty("rate-limit-headers") String rateLimitHeaders,
    @JsonProperty("rate-limit-headers-on-success") Boolean rateLimitHeadersOnSuccess,
    @JsonProperty("quota-name") String quotaName,
    LimitStore store)
    implements PolicyConfig {

  public static final String NAME = "rate-limit-by-key";

  public RateLimitByKeyConfig {
    counterKey = counterKey == null ? "{request.ip}" : counterKey;
    incrementCount = incrementCount == null ? 1 : incrementCount;
    retryAfterHeaderName = retryAfterHeaderName == null ? "Retry-After" : retryAfterHeaderName;
    rateLimitHeaders = rateLimitHeaders == null ? "ietf" : rateLimitHeaders;
    rateLimitHeadersOnSuccess = rateLimitHeadersOnSuccess != null && rateLimitHeadersOnSuccess;
    quotaName = quotaName == null ? "default" : quotaName;
    store = store == null ? LimitStore.LOCAL : store;
  }

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (calls == null) {
      problems.add(at + ".calls", "required field is missing");
    } else if (calls < 1) {
      problems.add(at + ".calls", "must be at least 1, got " + calls);
    }
    if (renewalPeriod == null) {
      problems.add(at + ".renewal-period", "required field is missing");
    } else if (renewalPeriod.toMillis() < 1 || renewalPeriod.compareTo(Duration.ofDays(1)) > 0) {
      problems.add(
          at + ".renewal-period",
          "must be at least 1 ms and at most 1 day (a longer period is a quota:"
              + " use quota-by-key), got "
              + renewalPeriod);
    }
    if (incrementCount < 1 || calls != null && calls >= 1 && incrementCount > calls) {
      problems.add(
          at + ".increment-count", "must be at least 1 and at most calls, got " + incrementCount);
    }
    Validation.headerName(at + ".retry-after-header-name", retryAfterHeaderName, problems);
    Validation.headerName(at + ".remaining-calls-header-name", remainingCallsHeaderName, problems);
    Validation.headerName(at + ".total-calls-header-name", totalCallsHeaderName, problems);
    Validation.oneOf(
        at + ".rate-limit-headers", rateLimitHeaders, problems, "ietf", "legacy", "none");
    Validation.statusRanges(at + ".increment-condition", incrementCondition, problems);
    Validation.quotaName(at + ".quota-name", quotaName, problems);
    store.validate(at + ".store", problems);
  }
}
