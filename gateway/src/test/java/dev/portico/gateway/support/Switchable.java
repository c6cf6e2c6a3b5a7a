package dev.portico.gateway.support;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback backend that can be killed (its port closes: connections are refused) and brought back
 * on the same port. By default it answers JSON naming itself; it counts requests served.
 */
public final class Switchable {

  private final Vertx vertx;
  private final String name;
  private final Handler<HttpServerRequest> handler;
  private final AtomicInteger served = new AtomicInteger();
  private final java.util.Set<io.vertx.core.http.HttpConnection> connections =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private HttpServer server;
  private int port;

  private Switchable(Vertx vertx, String name, Handler<HttpServerRequest> handler) {
    this.vertx = vertx;
    this.name = name;
    this.handler = handler;
  }

  public static Switchable echo(Vertx vertx, String name) {
    return start(vertx, name, null);
  }

  /**
   * @param handler answers requests; {@code null} for the JSON echo
   */
  public static Switchable start(Vertx vertx, String name, Handler<HttpServerRequest> handler) {
    Switchable s = new Switchable(vertx, name, handler);
    s.listen(0);
    return s;
  }

  private void listen(int p) {
    server =
        vertx
            .createHttpServer()
            .connectionHandler(
                c -> {
                  connections.add(c);
                  c.closeHandler(v -> connections.remove(c));
                })
            .requestHandler(
                req -> {
                  served.incrementAndGet();
                  if (handler != null) {
                    handler.handle(req);
                    return;
                  }
                  req.body()
                      .onSuccess(
                          body ->
                              req.response()
                                  .putHeader("content-type", "application/json")
                                  .end(
                                      new JsonObject()
                                          .put("name", name)
                                          .put("path", req.path())
                                          .put("bodyBytes", body.length())
                                          .encode()));
                })
            .listen(p, "127.0.0.1")
            .await();
    port = server.actualPort();
  }

  /**
   * Closes the port and every open connection (pooled keep-alive ones included): the process is
   * gone.
   */
  public void kill() {
    server.close().await();
    connections.forEach(io.vertx.core.http.HttpConnection::close);
    connections.clear();
  }

  public void revive() {
    listen(port);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int served() {
    return served.get();
  }

  public String name() {
    return name;
  }
}
