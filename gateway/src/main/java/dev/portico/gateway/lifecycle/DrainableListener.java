package dev.portico.gateway.lifecycle;

import io.vertx.core.Future;

/** A traffic listener the drain can close gracefully (one routing verticle's server). */
public interface DrainableListener {

  /**
   * Stops accepting connections, closes idle ones at once and the others after their response in
   * progress (HTTP/2: GOAWAY, then after their open streams), and force-closes what is left after
   * {@code timeoutMillis}.
   *
   * @return completed when every connection of this listener is closed
   */
  Future<Void> stopAccepting(long timeoutMillis);

  /** Requests of this listener whose response has not ended (nor their connection closed). */
  int inFlight();
}
