package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.Switchable;
import dev.portico.metrics.BreakerState;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A half-open breaker's probe slot is given back whenever its request ends without an outcome for
 * the backend: the client left mid-probe, or its request body broke (the client's fault, which must
 * not re-open the backend's breaker either). Then the next request probes, and closes it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BreakerProbeTest {

  @Test
  void aProbeWhoseClientLeavesOrBreaksItsBodyFreesItsSlot(Vertx vertx) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Switchable b =
        Switchable.start(
            vertx,
            "b",
            req -> {
              seen.add(req.path());
              if (req.path().equals("/hang")) {
                return; // never answers: only the client's leaving ends this probe
              }
              req.body().onSuccess(body -> req.response().end("ok"));
            });
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - id: b
          url: "%s"
          timeouts: { response: PT30S }
          circuitBreaker:
            halfOpenRequests: 1
            rules: [ { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT0.2S } ]
      apis: [ { id: api, path: /api, backend: b } ]
      """
                .formatted(b.url()));
    b.kill();
    assertThat(
            RawHttp.exchange(gw.trafficPort(), "GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n").status())
        .isEqualTo(502);
    CircuitBreaker breaker =
        gw.routingStates().current().states().breakers("b").values().iterator().next();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    b.revive();
    await().atMost(10, TimeUnit.SECONDS).until(() -> breaker.isAvailable(System.nanoTime()));

    // the probe's client leaves before the backend answers
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send("GET /api/hang HTTP/1.1\r\nHost: h\r\n\r\n");
      await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("/hang"));
      assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
      assertThat(breaker.probesInFlight(System.nanoTime())).isEqualTo(1);
      assertThat(breaker.isAvailable(System.nanoTime()))
          .as("the only probe slot is taken")
          .isFalse();
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> breaker.probesInFlight(System.nanoTime()) == 0);
    assertThat(breaker.state())
        .as("a client leaving says nothing about the backend")
        .isEqualTo(BreakerState.HALF_OPEN);

    // the next probe's body is malformed: 400 to the client, the slot freed, the breaker not
    // re-opened
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send(
          "POST /api/upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("/upload"));
      assertThat(breaker.probesInFlight(System.nanoTime())).isEqualTo(1);
      RawHttp.Response r = http.send("zz\r\n").read();
      assertThat(r.status()).isEqualTo(400);
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> breaker.probesInFlight(System.nanoTime()) == 0);
    assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);

    // a probe that succeeds closes it
    assertThat(
            RawHttp.exchange(gw.trafficPort(), "GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n").status())
        .isEqualTo(200);
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
  }
}
