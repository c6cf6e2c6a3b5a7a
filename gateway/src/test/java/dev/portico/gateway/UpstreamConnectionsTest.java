package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's connections to a cleartext HTTP/1.1 backend, seen from the backend: kept alive and
 * reused, at most {@code upstream.maxConnectionsPerEndpoint} per event loop (a request beyond waits
 * for one), a connection the backend closes replaced. Issue 13 leases them per request.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamConnectionsTest {

  private final List<HttpConnection> accepted = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  private int backend(Vertx vertx) {
    HttpServer server =
        vertx
            .createHttpServer()
            .connectionHandler(accepted::add)
            .requestHandler(
                req -> {
                  if (req.path().endsWith("/hold")) {
                    held.add(req);
                  } else if (req.path().endsWith("/close")) {
                    req.response().putHeader("connection", "close").end("closing");
                  } else {
                    req.response().end("ok");
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    return server.actualPort();
  }

  /** A gateway with one routing verticle (so one event loop's connections). */
  private GatewayVerticle gateway(Vertx vertx, int port) {
    GatewayConfig config =
        GatewayHarness.config(
            """
            upstream: { maxConnectionsPerEndpoint: 1 }
            backends:
              - { id: b, url: "http://127.0.0.1:%d" }
            apis:
              - { id: a, path: /a, backend: b }
            """
                .formatted(port),
            Map.of());
    GatewayVerticle gw = new GatewayVerticle(config, 1, ExchangeObserver.NONE);
    vertx.deployVerticle(gw).await();
    return gw;
  }

  @Test
  void requestsShareTheConnectionAndOneBeyondTheBoundWaitsForIt(Vertx vertx) {
    GatewayVerticle gw = gateway(vertx, backend(vertx));
    WebClient web = WebClient.create(vertx);
    for (int i = 0; i < 3; i++) {
      assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a/x").send().await().bodyAsString())
          .isEqualTo("ok");
    }
    assertThat(accepted).hasSize(1);
    Future<HttpResponse<Buffer>> first = web.get(gw.trafficPort(), "127.0.0.1", "/a/hold").send();
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.size() == 1);
    Future<HttpResponse<Buffer>> second = web.get(gw.trafficPort(), "127.0.0.1", "/a/y").send();
    // the only connection carries the held request: the second one waits for it, not for a new one
    held.get(0).response().end("released");
    assertThat(first.await().bodyAsString()).isEqualTo("released");
    assertThat(second.await().bodyAsString()).isEqualTo("ok");
    assertThat(accepted).hasSize(1);
  }

  @Test
  void aConnectionTheBackendClosesIsReplaced(Vertx vertx) {
    GatewayVerticle gw = gateway(vertx, backend(vertx));
    WebClient web = WebClient.create(vertx);
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/a/close").send().await();
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.bodyAsString()).isEqualTo("closing");
    }
    assertThat(accepted).hasSize(3);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a/x").send().await().bodyAsString())
        .isEqualTo("ok");
    assertThat(accepted).hasSize(4);
  }
}
