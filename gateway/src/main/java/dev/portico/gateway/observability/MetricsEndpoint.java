package dev.portico.gateway.observability;

import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's {@code
 * Accept} asks for it (Prometheus does). Rendering walks every series, so it runs on a worker
 * thread: the management listener shares an event loop with traffic.
 */
final class MetricsEndpoint implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final PorticoMetrics metrics;

  MetricsEndpoint(Vertx vertx, PorticoMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    vertx
        .executeBlocking(() -> metrics.scrape(accept), false)
        .onSuccess(
            e ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, e.contentType())
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(e.body()))
        .onFailure(ctx::fail);
  }
}
