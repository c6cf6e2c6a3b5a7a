package dev.portico.gateway.observability;

import dev.portico.gateway.policy.PolicyEvents;
import dev.portico.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policies' events as Micrometer counters (docs/metrics.md). Every label value is a closed set
 * or comes from the configuration (a policy's location, a JWKS URL without its query), never from a
 * request, so the series are bounded by the configuration. Counters are looked up once per label
 * set and kept: an event on the hot path costs a map lookup and an increment.
 */
public final class PolicyMeters implements PolicyEvents {

  private final MeterRegistry registry;
  private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

  public PolicyMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  private record Key(String name, String a, String b, String c, String d) {}

  @Override
  public void limitDecision(String policy, String location, String store, LimitDecision decision) {
    counter(
            new Key(MeterNames.POLICY_LIMIT_DECISIONS, policy, location, store, decision.name()),
            "Rate limit and" + " quota decisions",
            "policy",
            "location",
            "store",
            MeterNames.RESULT,
            lower(decision))
        .increment();
  }

  @Override
  public void storeFailure(String location, StoreFailure failure) {
    counter(
            new Key(MeterNames.POLICY_STORE_FAILURES, location, failure.name(), null, null),
            "Fleet-wide limit store" + " calls without an answer",
            "location",
            MeterNames.RESULT,
            null,
            null,
            lower(failure))
        .increment();
  }

  @Override
  public void jwksFetch(String url, String why, boolean succeeded, int keys) {
    String safeUrl = withoutQuery(url);
    counter(
            new Key(MeterNames.POLICY_JWKS_FETCHES, safeUrl, why, succeeded ? "ok" : "error", null),
            "JWKS and OpenID" + " configuration fetches",
            "url",
            "why",
            MeterNames.RESULT,
            null,
            null)
        .increment();
  }

  @Override
  public void tokenRejected(String location, String error) {
    counter(
            new Key(MeterNames.POLICY_TOKEN_REJECTIONS, location, error, null, null),
            "Tokens validate-jwt refused",
            "location",
            "error",
            null,
            null,
            null)
        .increment();
  }

  /**
   * The counter of {@code key}; the tag names pair with the key's values in order ({@code
   * lastValue}, when given, replaces the last one: the label's lower-case form).
   */
  private Counter counter(
      Key key, String description, String t1, String t2, String t3, String t4, String lastValue) {
    Counter c = counters.get(key);
    if (c != null) {
      return c;
    }
    return counters.computeIfAbsent(
        key,
        k -> {
          String[] names = {t1, t2, t3, t4};
          String[] values = {k.a(), k.b(), k.c(), k.d()};
          int n = 0;
          while (n < 4 && names[n] != null) {
            n++;
          }
          if (lastValue != null) {
            values[n - 1] = lastValue;
          }
          Counter.Builder b = Counter.builder(k.name()).description(description);
          for (int i = 0; i < n; i++) {
            b.tag(names[i], values[i] == null ? "none" : values[i]);
          }
          return b.register(registry);
        });
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String withoutQuery(String url) {
    if (url == null) {
      return "none";
    }
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
