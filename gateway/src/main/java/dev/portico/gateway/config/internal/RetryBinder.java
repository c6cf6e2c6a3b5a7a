package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;

import dev.portico.gateway.config.RetryConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * An API's {@code retry}: its fields with the schema's defaults; the lists whose default depends on
 * another list (reasons when no status is given, methods) from {@link RetryConfig}; then what the
 * schema cannot say (a non-idempotent method needs a buffered body, back-off bounds in order).
 */
final class RetryBinder extends Binding {

  RetryBinder(Binding parent) {
    super(parent);
  }

  /** {@code count} is required: without it the schema reported it. */
  private record RetryFields(Integer count, long bufferBodyLimit) {}

  private record Backoff(Duration base, Duration max) {}

  private record Budget(double ratio, int minPerSecond) {}

  RetryConfig retry(String at, JsonObject r) {
    if (r.isEmpty()) {
      return RetryConfig.NONE;
    }
    // thousands of APIs mostly share a few policies: an equal section binds once (RetryConfig
    // holds copies of its sets: immutable)
    return sections.once(
        SectionReader.schemaPath(at), RetryConfig.class, r, () -> bindRetry(at, r));
  }

  private RetryConfig bindRetry(String at, JsonObject r) {
    Set<Integer> statuses = new HashSet<>();
    array(r, "statusCodes")
        .forEach(
            x -> {
              if (x instanceof Number n) {
                statuses.add(n.intValue());
              }
            });
    Set<String> reasons = BreakerBinder.strings(array(r, "errorReasons"));
    if (!r.containsKey("statusCodes") && !r.containsKey("errorReasons")) {
      reasons.addAll(RetryConfig.DEFAULT_ERROR_REASONS);
    }
    Set<String> methods =
        r.containsKey("methods")
            ? BreakerBinder.strings(array(r, "methods"))
            : new HashSet<>(RetryConfig.IDEMPOTENT);
    RetryFields f = sections.bindFields(r, at, RetryFields.class);
    // any number given counts (one out of range or not whole is the schema's problem alone): it
    // says the body is buffered
    long limit =
        r.getValue("bufferBodyLimit") instanceof Number n ? n.longValue() : f.bufferBodyLimit();
    for (String m : methods) {
      if (!RetryConfig.IDEMPOTENT.contains(m) && limit == 0) {
        problem(
            at + ".methods",
            m
                + " is not idempotent: it is retried only when its body is buffered;"
                + " set bufferBodyLimit above 0 or leave "
                + m
                + " out");
      }
    }
    Backoff backoff = sections.bind(object(r, "backoff"), at + ".backoff", Backoff.class);
    if (backoff.base().compareTo(backoff.max()) > 0) {
      problem(at + ".backoff", "base " + backoff.base() + " is above max " + backoff.max());
    }
    Budget budget = sections.bind(object(r, "budget"), at + ".budget", Budget.class);
    return new RetryConfig(
        f.count() == null ? 0 : f.count(),
        statuses,
        reasons,
        methods,
        limit,
        backoff.base(),
        backoff.max(),
        budget.ratio(),
        budget.minPerSecond(),
        BreakerBinder.strings(array(r, "grpcStatuses")));
  }
}
