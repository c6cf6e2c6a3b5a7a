package dev.portico.gateway.management;

import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.edge.EdgeGuard;
import dev.portico.gateway.health.ReadinessCheck;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.pipeline.Rejections;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management listener, separate from traffic: liveness and readiness; metrics and the admin API
 * mount their routes through {@link #router()}.
 *
 * <p>{@code /health/live} answers 200 while the process can answer at all (its event loop turns):
 * failing it means "restart the process", so nothing outside the process (registry, backends) and
 * no drain makes it fail. {@code /health/ready} answers whether this gateway can serve now: 503
 * only while a check is not ready (no data yet) or the gateway is draining; a check that serves
 * from its last data keeps it at 200, listed under {@code degraded} (see {@link Readiness}).
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
  private volatile Supplier<String> draining;

  public ManagementServer(Vertx vertx, String host, int port) {
    this(vertx, host, port, null);
  }

  /**
   * @param https TLS of the listener, or {@code null} for plain HTTP
   */
  public ManagementServer(Vertx vertx, String host, int port, ListenerHttps https) {
    this(vertx, new Listeners.Listener(host, port, https));
  }

  /**
   * The management listener as configured: address, TLS, and how long it waits for slow or idle
   * clients.
   */
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

  /** The names of the readiness checks, in order. */
  public List<String> checkNames() {
    return checks.stream().map(ReadinessCheck::name).toList();
  }

  public Future<HttpServer> start() {
    // no h2c upgrade: as on the traffic listener, a stray "Upgrade: h2c" is ignored (and the edge's
    // decoder is installed before any byte is read, which the h2c sniffing would defeat)
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
    if (https != null) {
      https.applyTo(options);
    }
    server =
        vertx
            .createHttpServer(options)
            // the same strict HTTP/1.1 and client timeouts as the traffic listener; refusals as
            // problem documents
            .connectionHandler(EdgeGuard.installer(options, timeouts))
            .invalidRequestHandler(Rejections.invalidRequests(ExchangeObserver.NONE, null))
            .requestHandler(router)
            // a scraper's failed TLS handshake or reset is not the gateway's error
            .exceptionHandler(
                e ->
                    log.debug(
                        "client connection failed on the management listener: {}", e.toString()));
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * Marks the gateway as draining: from now on {@code /health/ready} answers 503 with status {@code
   * DRAINING} and {@code detail} (asked on each call), whatever the checks say.
   */
  public void draining(Supplier<String> detail) {
    this.draining = detail;
  }

  /** Readiness now: what {@code /health/ready} answers (also read by the readiness gauges). */
  public Readiness readiness() {
    List<Readiness.Entry> entries = new ArrayList<>(checks.size());
    for (ReadinessCheck c : checks) {
      entries.add(new Readiness.Entry(c.name(), c.probe().get()));
    }
    Supplier<String> d = draining;
    return new Readiness(entries, d == null ? null : d.get());
  }

  private void ready(RoutingContext ctx) {
    Readiness r = readiness();
    JsonArray results = new JsonArray();
    JsonArray degraded = new JsonArray();
    JsonArray failing = new JsonArray();
    if (r.draining() != null) {
      failing.add("draining: " + r.draining());
    }
    for (Readiness.Entry e : r.entries()) {
      results.add(
          new JsonObject()
              .put("name", e.name())
              .put("ready", e.result().ready())
              .put("status", e.result().status().name().toLowerCase(Locale.ROOT))
              .put("detail", e.result().detail()));
      if (e.result().degraded()) {
        degraded.add(e.name() + ": " + e.result().detail());
      } else if (!e.result().ready()) {
        failing.add(e.name() + ": " + e.result().detail());
      }
    }
    JsonObject body = new JsonObject().put("status", r.status().name()).put("checks", results);
    if (!degraded.isEmpty()) {
      body.put("degraded", degraded);
    }
    if (!failing.isEmpty()) {
      body.put("notReady", failing);
    }
    json(ctx, r.ready() ? 200 : 503, body);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encodePrettily());
  }
}
