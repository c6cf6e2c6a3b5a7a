package dev.portico.gateway.config;

import java.time.Duration;

/**
 * An API's (or operation's) WebSocket permission: {@code apis[].websocket} / {@code
 * operations[].websocket}, {@code true} or {@code { idleTimeout: PT10M }}. Without it an {@code
 * Upgrade} request is forwarded as plain HTTP with its hop-by-hop {@code Upgrade} dropped, as
 * before.
 *
 * @param idleTimeout a session with no data either way for this long is closed (1001 both ways)
 */
public record WebSocketConfig(Duration idleTimeout) {

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  public static final WebSocketConfig DEFAULT = new WebSocketConfig(DEFAULT_IDLE_TIMEOUT);
}
