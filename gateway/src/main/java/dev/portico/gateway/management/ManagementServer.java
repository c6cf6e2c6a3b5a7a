package dev.portico.gateway.management;

import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.edge.EdgeGuard;
import dev.portico.gateway.proxy.ExchangeObserver;
import dev.portico.gateway.proxy.ProxyHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The management listener, separate from traffic: liveness and readiness now; metrics and the
 * admin API mount their routes through {@link #router()}.
 */
public final class ManagementServer {

  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final ListenerHttps https;
  private final ClientTimeouts timeouts;
  private final Router router;
  private final List<ReadinessCheck> checks = new ArrayList<>();
  private HttpServer server;

  public ManagementServer(Vertx vertx, String host, int port) {
    this(vertx, host, port, null);
  }

  /** @param https TLS of the listener, or {@code null} for plain HTTP */
  public ManagementServer(Vertx vertx, String host, int port, ListenerHttps https) {
    this(vertx, new Listeners.Listener(host, port, https));
  }

  /** The management listener as configured: address, TLS, and how long it waits for slow or idle clients. */
  public ManagementServer(Vertx vertx, Listeners.Listener listener) {
    this.vertx = vertx;
    this.host = listener.host();
    this.port = listener.port();
    this.https = listener.https();
    this.timeouts = listener.timeouts();
    this.router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  public Router router() {
    return router;
  }

  /** Adds a readiness condition; the gateway is ready only when all of them are. */
  public void addCheck(ReadinessCheck check) {
    checks.add(check);
  }

  public Future<HttpServer> start() {
    // no h2c upgrade: as on the traffic listener, a stray "Upgrade: h2c" is ignored (and the edge's
    // decoder is installed before any byte is read, which the h2c sniffing would defeat)
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
    if (https != null) {
      https.applyTo(options);
    }
    server = vertx.createHttpServer(options)
      // the same strict HTTP/1.1 and client timeouts as the traffic listener; refusals as problem documents
      .connectionHandler(EdgeGuard.installer(options, timeouts))
      .invalidRequestHandler(ProxyHandler.invalidRequests(ExchangeObserver.NONE, null))
      .requestHandler(router)
      // a scraper's failed TLS handshake or reset is not the gateway's error
      .exceptionHandler(e -> log.debug("client connection failed on the management listener: {}", e.toString()));
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void ready(RoutingContext ctx) {
    JsonArray results = new JsonArray();
    List<String> failing = new ArrayList<>();
    for (ReadinessCheck c : checks) {
      ReadinessCheck.Result r = c.probe().get();
      results.add(new JsonObject().put("name", c.name()).put("ready", r.ready()).put("detail", r.detail()));
      if (!r.ready()) {
        failing.add(c.name() + ": " + r.detail());
      }
    }
    JsonObject body = new JsonObject().put("status", failing.isEmpty() ? "UP" : "DOWN").put("checks", results);
    if (!failing.isEmpty()) {
      body.put("notReady", new JsonArray(failing));
    }
    json(ctx, failing.isEmpty() ? 200 : 503, body);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
      .putHeader("cache-control", "no-store").end(body.encodePrettily());
  }
}
