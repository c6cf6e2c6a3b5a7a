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

  private Backends() {
  }

  public static HttpServer http(Vertx vertx, Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1").await();
  }

  /** Answers 200 with a JSON echo of method, path, query, headers and body length, plus {@code name}. */
  public static HttpServer echo(Vertx vertx, String name) {
    return http(vertx, req -> req.body().onSuccess(body -> {
      JsonObject headers = new JsonObject();
      req.headers().names().forEach(n -> headers.put(n.toLowerCase(Locale.ROOT), String.join(",", req.headers().getAll(n))));
      req.response().putHeader("content-type", "application/json").end(new JsonObject()
        .put("name", name)
        .put("method", req.method().name())
        .put("uri", req.uri())
        .put("path", req.path())
        .put("query", req.query())
        .put("headers", headers)
        .put("bodyBytes", body.length())
        .encode());
    }));
  }

  /** Accepts TCP connections and never answers. */
  public static NetServer silent(Vertx vertx) {
    return vertx.createNetServer().connectHandler(socket -> socket.handler(b -> { })).listen(0, "127.0.0.1").await();
  }

  /** A loopback port nothing listens on (bound, then released). */
  public static int closedPort(Vertx vertx) {
    NetServer s = vertx.createNetServer().connectHandler(so -> so.close()).listen(0, "127.0.0.1").await();
    int port = s.actualPort();
    s.close().await();
    return port;
  }
}
