package dev.portico.gateway.resilience;

import dev.portico.metrics.BreakerState;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A breaker changed state. Published on the event bus at {@link #ADDRESS} as JSON, and logged.
 *
 * @param rule the rule that tripped the breaker ({@code null} for other transitions)
 * @param retryAfterSeconds for a transition to OPEN: how long it stays open
 */
public record BreakerTransition(
    String backend,
    String endpoint,
    BreakerState from,
    BreakerState to,
    Instant at,
    String rule,
    long retryAfterSeconds) {

  /** Event bus address of breaker transitions. */
  public static final String ADDRESS = "portico.circuit-breaker";

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("backend", backend)
            .put("endpoint", endpoint)
            .put("from", from.name())
            .put("to", to.name())
            .put("at", at.toString());
    if (rule != null) {
      json.put("rule", rule);
    }
    if (to == BreakerState.OPEN) {
      json.put("retryAfterSeconds", retryAfterSeconds);
    }
    return json;
  }
}
