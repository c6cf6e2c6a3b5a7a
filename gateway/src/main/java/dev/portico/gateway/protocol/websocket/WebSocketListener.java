package dev.portico.gateway.protocol.websocket;

/**
 * Hears one WebSocket session (metrics): what it relays, and its end. Called on the session's event
 * loop.
 */
public interface WebSocketListener {

  WebSocketListener NONE = new WebSocketListener() {};

  /**
   * @param upstream client to backend ({@code true}) or backend to client; {@code bytes} include
   *     frame headers
   */
  default void relayed(boolean upstream, int frames, int bytes) {}

  /** The session is over (both connections closed), {@code nanos} after the handshake completed. */
  default void closed(long nanos) {}
}
