package dev.portico.gateway.resilience;

import io.vertx.core.json.JsonObject;

/**
 * An endpoint left its backend (gone from the registry, or a replica that moved): its breaker is
 * forgotten. Published on the event bus at {@link #ADDRESS} so that listeners keyed by endpoint
 * (the breaker meters) let go of it too; otherwise instance churn would grow them without bound.
 */
public record BreakerRetired(String backend, String endpoint) {

  /** Event bus address of retired breakers: {@code {"backend", "endpoint"}}. */
  public static final String ADDRESS = "portico.circuit-breaker.retired";

  public JsonObject toJson() {
    return new JsonObject().put("backend", backend).put("endpoint", endpoint);
  }
}
