package dev.portico.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A demo backend for the embedded default: answers every request with JSON naming the instance that
 * served it and echoing what it received, so a first {@code curl} shows routing at work. {@code
 * ?delayMs=N} delays the answer (at most 60 s) to try out timeouts.
 */
public final class DemoBackend extends VerticleBase {

  private final String service;
  private final String instance;
  private final String host;
  private final JsonObject extra;
  private HttpServer server;

  public DemoBackend(String service, String instance, String host) {
    this(service, instance, host, new JsonObject());
  }

  /**
   * @param extra fields added to every answer (the Service Fabric demo adds its partition and role)
   */
  public DemoBackend(String service, String instance, String host, JsonObject extra) {
    this.service = service;
    this.instance = instance;
    this.host = host;
    this.extra = extra.copy();
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(0, host);
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    req.body()
        .onSuccess(
            body -> {
              JsonObject headers = new JsonObject();
              req.headers()
                  .names()
                  .forEach(
                      n -> headers.put(n.toLowerCase(java.util.Locale.ROOT), req.headers().get(n)));
              Buffer out =
                  new JsonObject()
                      .put("service", service)
                      .put("instance", instance)
                      .put("method", req.method().name())
                      .put("path", req.path())
                      .put("query", req.query())
                      .put("headers", headers)
                      .put("bodyBytes", body.length())
                      .mergeIn(extra)
                      .toBuffer();
              long delay = parseDelay(req.getParam("delayMs"));
              Runnable answer =
                  () -> req.response().putHeader("content-type", "application/json").end(out);
              if (delay > 0) {
                vertx.setTimer(delay, t -> answer.run());
              } else {
                answer.run();
              }
            });
  }

  private static long parseDelay(String v) {
    try {
      return v == null ? 0 : Math.min(60_000, Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
