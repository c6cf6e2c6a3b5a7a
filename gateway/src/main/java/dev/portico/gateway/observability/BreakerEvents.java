package dev.portico.gateway.observability;

import dev.portico.metrics.BreakerState;
import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the breaker transitions published on {@link #ADDRESS} into the breaker meters. The
 * breakers publish, the metrics listen: neither knows the other. A local consumer, since breaker
 * state is per gateway process even when the event bus is clustered.
 *
 * <p>Message: {@code {"backend", "endpoint": "host:port", "from", "to": "CLOSED|OPEN|HALF_OPEN",
 * "at": ISO-8601, "retryAfterSeconds": optional}}.
 */
public final class BreakerEvents {

  public static final String ADDRESS = "portico.circuit-breaker";

  private static final Logger log = LoggerFactory.getLogger(BreakerEvents.class);

  private BreakerEvents() {
  }

  static Future<MessageConsumer<Object>> consume(Vertx vertx, PorticoMetrics metrics) {
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(ADDRESS, msg -> handle(msg, metrics));
    return consumer.completion().map(v -> consumer);
  }

  private static void handle(Message<Object> msg, PorticoMetrics metrics) {
    try {
      JsonObject body = msg.body() instanceof JsonObject o ? o : new JsonObject(String.valueOf(msg.body()));
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
