package dev.portico.gateway.protocol.websocket;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WebSocket sessions of one routing verticle, so the drain can end them: at the end of its
 * grace period each gets a close frame 1001 ({@link WebSocketTunnel#goAway}). The set is used on
 * the verticle's event loop only; the count is read by the drain from elsewhere.
 */
public final class WebSocketSessions {

  private final Vertx vertx;
  private final Runnable sessionEnded;
  private final Set<WebSocketTunnel> open = new LinkedHashSet<>();
  private final AtomicInteger count = new AtomicInteger();
  private Context context;

  /**
   * @param sessionEnded told when a session closes (the listener's in-flight count: its handshake
   *     request ends then)
   */
  public WebSocketSessions(Vertx vertx, Runnable sessionEnded) {
    this.vertx = vertx;
    this.sessionEnded = sessionEnded;
  }

  /** Binds the sessions to the verticle's context (where the drain's timer must run). */
  public WebSocketSessions on(Context context) {
    this.context = context;
    return this;
  }

  /**
   * Starts relaying a session whose handshake just completed.
   *
   * @param ended told once, when both connections have closed
   */
  public void open(
      NetSocket client,
      NetSocket backend,
      long idleMillis,
      WebSocketListener listener,
      Handler<Void> ended) {
    WebSocketTunnel t =
        new WebSocketTunnel(vertx, client, backend, idleMillis, listener, this, ended);
    open.add(t);
    count.incrementAndGet();
    t.start();
  }

  void remove(WebSocketTunnel t) {
    if (open.remove(t)) {
      count.decrementAndGet();
      sessionEnded.run();
    }
  }

  /** Sessions open now (any thread). */
  public int size() {
    return count.get();
  }

  /**
   * At the end of a drain's grace period ({@code afterMillis} from now), every session still open
   * goes away with 1001.
   */
  public void goAwayAfter(long afterMillis) {
    Context ctx = context;
    if (ctx == null) {
      return;
    }
    ctx.runOnContext(
        v ->
            vertx.setTimer(
                Math.max(1, afterMillis),
                t -> {
                  for (WebSocketTunnel s : new ArrayList<>(open)) {
                    s.goAway("gateway shutting down");
                  }
                }));
  }
}
