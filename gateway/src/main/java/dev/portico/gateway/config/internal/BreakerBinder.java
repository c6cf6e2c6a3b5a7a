package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.integer;
import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.objectAt;

import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.config.CircuitBreakerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@code circuitBreaker} block (a backend's, the reverse-proxy listener's): its fields and its
 * rules' with the schema's defaults, then what the schema cannot say of a rule (exactly one of
 * count and percentage, a range's bounds in order, something to count).
 */
final class BreakerBinder extends Binding {

  BreakerBinder(Binding parent) {
    super(parent);
  }

  private record BreakerFields(
      int halfOpenRequests, Duration maxRetryAfter, Duration probeTimeout) {}

  /** A failure condition's {@code minimumRequests} (its interval binds after the checks). */
  private record Thresholds(int minimumRequests) {}

  private record Interval(Duration interval) {}

  private record RuleFields(String name, Duration tripDuration, boolean acceptRetryAfter) {}

  CircuitBreakerConfig breaker(String at, JsonObject cb) {
    List<BreakerRuleConfig> rules = new ArrayList<>();
    JsonArray list = array(cb, "rules");
    for (int i = 0; i < list.size(); i++) {
      rules.add(rule(at + ".rules[" + i + "]", i, objectAt(list, i)));
    }
    BreakerFields f = sections.bindFields(cb, at, BreakerFields.class);
    return new CircuitBreakerConfig(
        rules, f.halfOpenRequests(), f.maxRetryAfter(), f.probeTimeout());
  }

  private BreakerRuleConfig rule(String at, int index, JsonObject r) {
    String fcAt = at + ".failureCondition";
    JsonObject fc = object(r, "failureCondition");
    Thresholds t = sections.bindFields(fc, fcAt, Thresholds.class);
    // any number counts as given (one out of range or not whole is the schema's problem alone)
    Integer count = fc.getValue("count") instanceof Number n ? n.intValue() : null;
    Integer percentage = fc.getValue("percentage") instanceof Number n ? n.intValue() : null;
    if ((count == null) == (percentage == null)) {
      problem(fcAt, "needs exactly one of 'count' and 'percentage'");
    }
    if (count != null && fc.containsKey("minimumRequests")) {
      problem(fcAt + ".minimumRequests", "applies to a percentage rule only");
    }
    List<BreakerRuleConfig.StatusRange> ranges = new ArrayList<>();
    JsonArray rs = array(fc, "statusCodeRanges");
    for (int j = 0; j < rs.size(); j++) {
      JsonObject range = objectAt(rs, j);
      // both bounds are required: without one the schema reported it, and the range is empty
      int min = integer(range, "min", 0);
      int max = integer(range, "max", 0);
      if (min > max) {
        problem(fcAt + ".statusCodeRanges[" + j + "]", "min " + min + " is above max " + max);
      }
      ranges.add(new BreakerRuleConfig.StatusRange(min, max));
    }
    Set<String> reasons = strings(array(fc, "errorReasons"));
    if (ranges.isEmpty() && reasons.isEmpty() && !fc.containsKey("grpcStatuses")) {
      problem(fcAt, "counts nothing: give statusCodeRanges, errorReasons and/or grpcStatuses");
    }
    // interval and tripDuration are required: without one the schema reported it (null here)
    Duration interval = sections.bindFields(fc, fcAt, Interval.class).interval();
    RuleFields f = sections.bindFields(r, at, RuleFields.class);
    return new BreakerRuleConfig(
        f.name() != null ? f.name() : "rule-" + index,
        count,
        percentage,
        interval,
        ranges,
        reasons,
        t.minimumRequests(),
        f.tripDuration(),
        f.acceptRetryAfter(),
        strings(array(fc, "grpcStatuses")));
  }

  /** The strings of a list of names (anything else the schema reported). */
  static Set<String> strings(JsonArray list) {
    Set<String> out = new HashSet<>();
    list.forEach(
        x -> {
          if (x instanceof String s) {
            out.add(s);
          }
        });
    return out;
  }
}
