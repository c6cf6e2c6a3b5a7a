package dev.portico.gateway.observability;

import dev.portico.gateway.resilience.BreakerRetired;
import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.metrics.BreakerState;
import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the breaker transitions published on {@link #ADDRESS} into the breaker meters. The breakers
 * publish, the metrics listen: neither knows the other. A local consumer, since breaker state is
 * per gateway process even when the event bus is clustered.
 *
 * <p>Message: {@code {"backend", "endpoint": "host:port", "from", "to": "CLOSED|OPEN|HALF_OPEN",
 * "at": ISO-8601, "retryAfterSeconds": optional}}. At {@link #RETIRED_ADDRESS}, {@code {"backend",
 * "endpoint"}} of a breaker forgotten with its endpoint: its series are removed.
 */
public final class BreakerEvents {

  public static final String ADDRESS = BreakerTransition.ADDRESS;
  public static final String RETIRED_ADDRESS = BreakerRetired.ADDRESS;

  private static final Logger log = LoggerFactory.getLogger(BreakerEvents.class);

  private BreakerEvents() {}

  /**
   * Both consumers; unregister them to stop. Transitions and retirements come in the order
   * published.
   */
  static Future<List<MessageConsumer<Object>>> consume(Vertx vertx, PorticoMetrics metrics) {
    MessageConsumer<Object> transitions =
        vertx.eventBus().localConsumer(ADDRESS, msg -> handle(msg, metrics));
    MessageConsumer<Object> retirements =
        vertx.eventBus().localConsumer(RETIRED_ADDRESS, msg -> retire(msg, metrics));
    return Future.all(transitions.completion(), retirements.completion())
        .map(v -> List.of(transitions, retirements));
  }

  private static void retire(Message<Object> msg, PorticoMetrics metrics) {
    if (msg.body() instanceof JsonObject body
        && body.getValue("backend") instanceof String backend
        && body.getValue("endpoint") instanceof String endpoint) {
      metrics.breakerRetired(backend, endpoint);
    } else {
      log.debug("ignored malformed breaker retirement: {}", msg.body());
    }
  }

  private static void handle(Message<Object> msg, PorticoMetrics metrics) {
    try {
      JsonObject body =
          msg.body() instanceof JsonObject o ? o : new JsonObject(String.valueOf(msg.body()));
      String backend = body.getString("backend");
      String endpoint = body.getString("endpoint");
      String to = body.getString("to");
      if (backend == null || endpoint == null || to == null) {
        log.debug("ignored breaker event without backend, endpoint or to: {}", body);
        return;
      }
      metrics.breakerTransition(backend, endpoint, BreakerState.parse(to));
    } catch (RuntimeException e) {
      log.debug("ignored malformed breaker event: {}", e.toString());
    }
  }
}
