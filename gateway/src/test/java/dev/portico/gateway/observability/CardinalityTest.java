package dev.portico.gateway.observability;

import static dev.portico.gateway.observability.Scrape.l;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The number of series is bounded by the configuration, never by traffic: no path, query or made-up
 * method becomes a label.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CardinalityTest {

  static final int REQUESTS = 10_000;

  @Test
  void tenThousandDistinctPathsDoNotMakeTenThousandSeries(Vertx vertx) throws Exception {
    int echo = Backends.http(vertx, req -> req.response().end("ok")).actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends: [ { id: echo, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: ok, path: /ok, backend: echo } ]
      """
                .formatted(echo));
    int before = Scrape.get(vertx, gw.managementPort()).series().size();

    WebClient web =
        WebClient.create(
            vertx,
            new WebClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(16));
    int batch = 200;
    for (int from = 0; from < REQUESTS; from += batch) {
      List<Future<?>> inFlight = new ArrayList<>();
      for (int i = from; i < from + batch; i++) {
        // half matched (200), half unmatched (404); every path and query distinct; some made-up
        // methods
        String path = (i % 2 == 0 ? "/ok/item-" : "/unknown-") + i + "?token=t" + i;
        HttpMethod method =
            i % 100 == 1 || i % 100 == 2 ? HttpMethod.valueOf("BREW" + i) : HttpMethod.GET;
        inFlight.add(
            web.request(method, gw.trafficPort(), "127.0.0.1", path)
                .send()
                .onSuccess(r -> assertThat(r.statusCode()).isIn(200, 404)));
      }
      Future.all(inFlight).await(60, TimeUnit.SECONDS);
    }

    String count = "portico_request_duration_seconds_count";
    await()
        .atMost(20, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(Scrape.get(vertx, gw.managementPort()).sum(count, l()))
                    .isEqualTo(REQUESTS));
    Scrape after = Scrape.get(vertx, gw.managementPort());
    // GET and OTHER, each as 200 from the API or 404 unmatched
    assertThat(after.find(count, l())).hasSize(4);
    assertThat(after.value(count, l("api", "ok", "method", "GET", "status_class", "2xx")))
        .isEqualTo(4_900);
    assertThat(after.value(count, l("api", "ok", "method", "OTHER", "status_class", "2xx")))
        .isEqualTo(100);
    assertThat(after.value(count, l("api", "unmatched", "method", "OTHER", "status_class", "4xx")))
        .isEqualTo(100);
    assertThat(after.series().size() - before)
        .as("series added by %d requests on distinct paths", REQUESTS)
        .isLessThan(100);
    assertThat(after.text())
        .doesNotContain("item-")
        .doesNotContain("unknown-")
        .doesNotContain("token")
        .doesNotContain("BREW");
  }
}
