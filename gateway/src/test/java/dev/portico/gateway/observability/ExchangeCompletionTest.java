package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ExchangeObserver#completed} is called exactly once per {@link ExchangeObserver#started},
 * on every path a request can take: answered by the backend, rejected by the gateway, failed
 * towards the backend, or abandoned by either side mid-way. Otherwise in-flight gauges drift and
 * latency histograms miss or double-count requests.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ExchangeCompletionTest {

  /** Counts per API; keeps every completion. */
  static final class Recorder implements ExchangeObserver {
    final Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
    final List<Completion> completions = new CopyOnWriteArrayList<>();

    @Override
    public void started(String apiId) {
      started.computeIfAbsent(apiId, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void completed(Completion c) {
      completions.add(c);
    }

    int startedTotal() {
      return started.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  Vertx vertx;
  WebClient web;
  Recorder recorder;
  GatewayVerticle gw;
  final AtomicInteger hangReached = new AtomicInteger();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    int echo = Backends.echo(vertx, "e").actualPort();
    int closed = Backends.closedPort();
    int silent = Backends.silent(vertx).actualPort();
    // takes the request head (and any body), never answers
    int hang = Backends.http(vertx, req -> hangReached.incrementAndGet()).actualPort();
    // sends headers and a first chunk, then nothing more
    int trickle =
        Backends.http(vertx, req -> req.response().setChunked(true).write("first chunk"))
            .actualPort();
    // sends headers and a first chunk, then drops the connection
    int breaks =
        Backends.http(
                vertx,
                req -> {
                  req.response().setChunked(true).write("first chunk");
                  vertx.setTimer(100, t -> req.connection().close());
                })
            .actualPort();
    recorder = new Recorder();
    gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      gateway: { id: gw-under-test }
      backends:
        - { id: echo, url: "http://127.0.0.1:%d" }
        - { id: gone, url: "http://127.0.0.1:%d" }
        - { id: slow, url: "http://127.0.0.1:%d", timeouts: { response: PT0.3S } }
        - { id: hang, url: "http://127.0.0.1:%d", timeouts: { response: PT30S } }
        - { id: trickle, url: "http://127.0.0.1:%d" }
        - { id: breaks, url: "http://127.0.0.1:%d" }
        - { id: nobody, url: nobody-home }
      apis:
        - { id: ok, path: /ok, backend: echo }
        - id: ops
          path: /ops
          backend: echo
          operations: [ { method: GET, path: /only } ]
        - { id: refused, path: /refused, backend: gone }
        - { id: timeout, path: /timeout, backend: slow }
        - { id: hang, path: /hang, backend: hang }
        - { id: trickle, path: /trickle, backend: trickle }
        - { id: breaks, path: /breaks, backend: breaks }
        - { id: unavailable, path: /unavailable, backend: nobody }
      """
                    .formatted(echo, closed, silent, hang, trickle, breaks),
                Map.of()),
            2,
            recorder);
    vertx.deployVerticle(gw).await();
  }

  @Test
  void success() {
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/ok/x").send().await().statusCode())
        .isEqualTo(200);
    assertThat(
            web.post(gw.trafficPort(), "127.0.0.1", "/ok/y")
                .sendBuffer(Buffer.buffer("body"))
                .await()
                .statusCode())
        .isEqualTo(200);
    // the POST's completion, found by its method: a completion is recorded once the response is
    // written, which the client can see first, so the GET's may be recorded after the POST's
    ExchangeObserver.Completion c =
        settle(2).stream()
            .filter(x -> HttpMethod.POST.equals(x.method()))
            .findFirst()
            .orElseThrow();
    assertThat(c.apiId()).isEqualTo("ok");
    assertThat(c.backendId()).isEqualTo("echo");
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.reason()).isNull();
    assertThat(c.bytesIn()).isEqualTo(4);
    assertThat(c.bytesOut()).isPositive();
    assertThat(c.attempts()).isEqualTo(1);
  }

  @Test
  void rejections() {
    int port = gw.trafficPort();
    assertThat(web.get(port, "127.0.0.1", "/nowhere").send().await().statusCode()).isEqualTo(404);
    assertThat(web.get(port, "127.0.0.1", "/ops/other").send().await().statusCode()).isEqualTo(404);
    assertThat(
            web.get(port, "127.0.0.1", "/ok")
                .putHeader("via", "1.1 gw-under-test")
                .send()
                .await()
                .statusCode())
        .isEqualTo(508);
    assertThat(web.get(port, "127.0.0.1", "/ok/../../x").send().await().statusCode())
        .isEqualTo(400);
    assertThat(web.get(port, "127.0.0.1", "/unavailable").send().await().statusCode())
        .isEqualTo(503);
    List<ExchangeObserver.Completion> all = settle(5);
    assertThat(all)
        .extracting(ExchangeObserver.Completion::reason)
        .containsExactlyInAnyOrder(
            "OperationNotFound",
            "OperationNotFound",
            "LoopDetected",
            "BadRequest",
            "BackendUnavailable");
    // rejected before matching an API: no API, the loop, and the path that climbs above /
    assertThat(recorder.started.get("unmatched").get()).isEqualTo(3);
    assertThat(recorder.started.get("ops").get()).isEqualTo(1);
  }

  @Test
  void backendFailures() {
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/refused").send().await().statusCode())
        .isEqualTo(502);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/timeout").send().await().statusCode())
        .isEqualTo(504);
    assertThat(settle(2))
        .extracting(ExchangeObserver.Completion::reason)
        .containsExactlyInAnyOrder("BackendConnectionFailure", "Timeout");
  }

  @Test
  void clientGoneBeforeTheResponse() throws Exception {
    NetSocket so = raw("GET /hang HTTP/1.1\r\nhost: x\r\n\r\n");
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> hangReached.get() == 1); // the request is at the backend now
    so.close().await();
    ExchangeObserver.Completion c = settle(1).get(0);
    assertThat(c.status()).isZero();
    assertThat(c.reason()).isEqualTo("ClientConnectionFailure");
  }

  @Test
  void clientGoneMidResponse() throws Exception {
    Promise<Void> firstBytes = Promise.promise();
    NetSocket so = raw("GET /trickle HTTP/1.1\r\nhost: x\r\n\r\n", firstBytes);
    firstBytes.future().await(10, TimeUnit.SECONDS);
    so.close().await();
    ExchangeObserver.Completion c = settle(1).get(0);
    assertThat(c.status()).isZero();
    assertThat(c.reason()).isEqualTo("ClientConnectionFailure");
  }

  @Test
  void clientGoneMidUpload() throws Exception {
    NetSocket so =
        raw("POST /hang HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\nonly a little");
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> hangReached.get() == 1); // the upload is streaming to the backend
    so.close().await();
    ExchangeObserver.Completion c = settle(1).get(0);
    assertThat(c.status()).isZero();
    assertThat(c.reason()).isEqualTo("ClientConnectionFailure");
  }

  @Test
  void backendGoneMidResponse() throws Exception {
    Promise<Void> firstBytes = Promise.promise();
    raw("GET /breaks HTTP/1.1\r\nhost: x\r\n\r\n", firstBytes);
    firstBytes.future().await(10, TimeUnit.SECONDS);
    ExchangeObserver.Completion c = settle(1).get(0);
    assertThat(c.status()).isZero();
    assertThat(c.reason()).isEqualTo("BackendConnectionFailure");
  }

  @Test
  void everythingAtOnceUnderConcurrency() throws Exception {
    String[] paths = {"/ok/a", "/nowhere", "/refused", "/timeout", "/ops/nope", "/unavailable"};
    List<io.vertx.core.Future<?>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 120; i++) {
      all.add(web.get(gw.trafficPort(), "127.0.0.1", paths[i % paths.length]).send());
    }
    io.vertx.core.Future.join(all).await(30, TimeUnit.SECONDS);
    settle(120);
    assertThat(gw.metrics().inFlight("ok")).isZero();
    assertThat(gw.metrics().inFlight("unmatched")).isZero();
  }

  /**
   * Waits for every started exchange to complete, checks that exactly {@code expected} did, once
   * each (no late duplicate either), and returns the completions.
   */
  private List<ExchangeObserver.Completion> settle(int expected) {
    await()
        .atMost(20, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              assertThat(recorder.startedTotal()).isEqualTo(expected);
              assertThat(recorder.completions).hasSize(expected);
            });
    // and no late duplicate follows (a timer of a finished exchange, say) for a while after
    await()
        .during(java.time.Duration.ofMillis(500))
        .atMost(java.time.Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(recorder.completions).as("late duplicate completions").hasSize(expected);
              assertThat(recorder.startedTotal()).isEqualTo(expected);
            });
    assertThat(recorder.completions.stream().map(ExchangeObserver.Completion::requestId).distinct())
        .hasSize(expected);
    recorder.started.forEach(
        (api, n) ->
            assertThat(recorder.completions.stream().filter(c -> c.apiId().equals(api)))
                .as("completions of API %s", api)
                .hasSize(n.get()));
    return List.copyOf(recorder.completions);
  }

  private NetSocket raw(String request) {
    return raw(request, Promise.promise());
  }

  private NetSocket raw(String request, Promise<Void> firstBytes) {
    NetSocket so = vertx.createNetClient().connect(gw.trafficPort(), "127.0.0.1").await();
    so.handler(b -> firstBytes.tryComplete());
    so.write(request).await();
    return so;
  }
}
