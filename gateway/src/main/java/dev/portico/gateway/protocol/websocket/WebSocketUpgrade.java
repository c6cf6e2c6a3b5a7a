package dev.portico.gateway.protocol.websocket;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * The WebSocket opening handshake (RFC 6455 4) as a proxy sees it. The gateway does not terminate
 * WebSockets: the client's handshake goes to the backend (its {@code Sec-WebSocket-Key}, {@code
 * -Version}, {@code -Protocol} and {@code -Extensions} untouched), the backend's 101 comes back
 * with its {@code Sec-WebSocket-Accept}, chosen subprotocol and extensions, and then both
 * connections carry the frames as they are ({@link WebSocketTunnel}). So subprotocols, extensions
 * (permessage-deflate) and close codes are negotiated and passed end to end.
 */
public final class WebSocketUpgrade {

  private static final CharSequence WEBSOCKET = HttpHeaders.createOptimized("websocket");
  private static final CharSequence SEC_WEBSOCKET_KEY =
      HttpHeaders.createOptimized("sec-websocket-key");
  private static final CharSequence SEC_WEBSOCKET_VERSION =
      HttpHeaders.createOptimized("sec-websocket-version");
  private static final CharSequence SEC_WEBSOCKET_ACCEPT =
      HttpHeaders.createOptimized("sec-websocket-accept");

  private WebSocketUpgrade() {}

  /**
   * Whether {@code req} is a valid WebSocket opening handshake: an HTTP/1.1 GET with {@code
   * Upgrade: websocket}, a {@code Connection} naming {@code upgrade}, a {@code Sec-WebSocket-Key}
   * and {@code Sec-WebSocket-Version: 13}. (WebSockets over HTTP/2, RFC 8441, are not offered.)
   * Anything else is plain HTTP, its hop-by-hop {@code Upgrade} dropped.
   */
  public static boolean isHandshake(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_1_1 || req.method() != HttpMethod.GET) {
      return false;
    }
    MultiMap h = req.headers();
    return h.contains(HttpHeaders.UPGRADE, WEBSOCKET, true)
        && h.contains(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE, true)
        && h.contains(SEC_WEBSOCKET_KEY)
        && "13".equals(h.get(SEC_WEBSOCKET_VERSION));
  }

  /** Puts back what hop-by-hop hygiene removed from the forwarded handshake: the upgrade itself. */
  public static void restoreRequestHeaders(MultiMap forwarded) {
    forwarded.set(HttpHeaders.UPGRADE, WEBSOCKET);
    forwarded.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
  }

  /**
   * Whether the backend's answer completes the handshake: 101 switching to websocket, with an
   * accept key.
   */
  public static boolean accepted(HttpClientResponse upRes) {
    return upRes.statusCode() == 101
        && upRes.headers().contains(HttpHeaders.UPGRADE, WEBSOCKET, true)
        && upRes.headers().contains(SEC_WEBSOCKET_ACCEPT);
  }

  /**
   * The backend's 101 headers (end-to-end ones, hygiene already applied) plus the upgrade, onto the
   * client's response.
   */
  public static void acceptHeaders(HttpServerResponse res) {
    res.setStatusCode(101);
    res.headers().set(HttpHeaders.UPGRADE, WEBSOCKET);
    res.headers().set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    res.headers().remove(HttpHeaders.CONTENT_LENGTH);
  }
}
