package dev.portico.gateway.protocol.websocket;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket session after its handshake: the client's and the backend's connections relay each
 * other's bytes unchanged, with back-pressure (a side that cannot keep up pauses the other), so
 * frames, fragmentation, extensions and close codes pass end to end. A {@link FrameScanner} per
 * direction counts frames and knows the frame boundaries where the gateway may speak itself: when
 * the session idles past its timeout, or the drain's grace period ends, both peers get a close
 * frame with 1001 (going away) where the stream is between frames, then both connections close.
 * Either connection closing closes the other. Everything runs on the client connection's event
 * loop.
 */
public final class WebSocketTunnel {

  private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);

  /** RFC 6455 7.4.1: the endpoint is going away (server going down, or the session idled out). */
  public static final int GOING_AWAY = 1001;

  private final Vertx vertx;
  private final NetSocket client;
  private final NetSocket backend;
  private final WebSocketListener listener;
  private final WebSocketSessions sessions;
  private final Handler<Void> ended;
  private final long idleNanos;
  private final long startNanos = System.nanoTime();
  private final FrameScanner fromClient = new FrameScanner();
  private final FrameScanner fromBackend = new FrameScanner();
  private long lastActivityNanos = startNanos;
  private long idleTimer = -1;
  private boolean closing;
  private boolean over;
  private int openSockets = 2;

  /**
   * @param idleMillis closes the session after this long without data either way (0: never)
   * @param ended told once, when both connections are closed
   */
  WebSocketTunnel(
      Vertx vertx,
      NetSocket client,
      NetSocket backend,
      long idleMillis,
      WebSocketListener listener,
      WebSocketSessions sessions,
      Handler<Void> ended) {
    this.vertx = vertx;
    this.client = client;
    this.backend = backend;
    this.listener = listener;
    this.sessions = sessions;
    this.ended = ended;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
  }

  void start() {
    relay(client, backend, fromClient, true);
    relay(backend, client, fromBackend, false);
    if (idleNanos > 0) {
      armIdle(TimeUnit.NANOSECONDS.toMillis(idleNanos));
    }
  }

  private void relay(NetSocket from, NetSocket to, FrameScanner scanner, boolean upstream) {
    from.handler(
        data -> {
          if (closing) {
            return;
          }
          lastActivityNanos = System.nanoTime();
          listener.relayed(upstream, scanner.feed(data), data.length());
          to.write(data);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    from.exceptionHandler(
        e ->
            log.debug(
                "websocket {} connection failed: {}",
                upstream ? "client" : "backend",
                e.toString()));
    // a peer that closes its connection ends the session: the other side's connection closes after
    // what was relayed
    from.endHandler(v -> to.end());
    from.closeHandler(v -> socketClosed(to));
  }

  private void socketClosed(NetSocket other) {
    openSockets--;
    if (openSockets == 1) {
      other.close();
    }
    if (openSockets == 0 && !over) {
      over = true;
      if (idleTimer >= 0) {
        vertx.cancelTimer(idleTimer);
      }
      sessions.remove(this);
      listener.closed(System.nanoTime() - startNanos);
      ended.handle(null);
    }
  }

  private void armIdle(long delayMillis) {
    idleTimer =
        vertx.setTimer(
            Math.max(1, delayMillis),
            t -> {
              idleTimer = -1;
              long quiet = System.nanoTime() - lastActivityNanos;
              if (quiet >= idleNanos) {
                goAway("idle timeout");
              } else if (!over) {
                armIdle(TimeUnit.NANOSECONDS.toMillis(idleNanos - quiet));
              }
            });
  }

  /**
   * Ends the session from the gateway's side: a close frame 1001 to each peer whose stream is
   * between frames (a frame half relayed cannot be interrupted by another), then both connections
   * close.
   */
  public void goAway(String reason) {
    if (closing || over) {
      return;
    }
    closing = true;
    log.debug("websocket session closed by the gateway: {}", reason);
    if (fromBackend.betweenFrames()) {
      client.write(FrameScanner.closeFrame(GOING_AWAY, reason, false));
    }
    if (fromClient.betweenFrames()) {
      backend.write(FrameScanner.closeFrame(GOING_AWAY, reason, true));
    }
    client.end();
    backend.end();
  }
}
