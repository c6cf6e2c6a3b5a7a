package dev.portico.gateway.support;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.util.Locale;

/** Real backend servers on loopback ephemeral ports. */
public final class Backends {

  private Backends() {}

  public static HttpServer http(Vertx vertx, Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1").await();
  }

  /**
   * Answers 200 with a JSON echo of method, path, query, headers and body length, plus {@code
   * name}.
   */
  public static HttpServer echo(Vertx vertx, String name) {
    return http(vertx, echoHandler(name));
  }

  /** {@link #echo(Vertx, String)} on another loopback address and port (0: any). */
  public static HttpServer echo(Vertx vertx, String name, String host, int port) {
    return vertx.createHttpServer().requestHandler(echoHandler(name)).listen(port, host).await();
  }

  private static Handler<HttpServerRequest> echoHandler(String name) {
    return req ->
        req.body()
            .onSuccess(
                body -> {
                  JsonObject headers = new JsonObject();
                  req.headers()
                      .names()
                      .forEach(
                          n ->
                              headers.put(
                                  n.toLowerCase(Locale.ROOT),
                                  String.join(",", req.headers().getAll(n))));
                  req.response()
                      .putHeader("content-type", "application/json")
                      .end(
                          new JsonObject()
                              .put("name", name)
                              .put("method", req.method().name())
                              .put("uri", req.uri())
                              .put("path", req.path())
                              .put("query", req.query())
                              .put("headers", headers)
                              .put("bodyBytes", body.length())
                              .encode());
                });
  }

  /** Accepts TCP connections and never answers. */
  public static NetServer silent(Vertx vertx) {
    return vertx
        .createNetServer()
        .connectHandler(socket -> socket.handler(b -> {}))
        .listen(0, "127.0.0.1")
        .await();
  }

  /**
   * A loopback port nothing listens on. Taken below Linux's ephemeral range (32768+), where the
   * random ports of the servers under test come from, so a gateway started later cannot be given it
   * by chance (that turned a "refused" backend into the gateway itself).
   */
  public static int closedPort() {
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 200; i++) {
      int port = 20_000 + random.nextInt(12_000);
      try (java.net.ServerSocket probe =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      } catch (java.io.IOException inUse) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free loopback port below the ephemeral range");
  }
}
