package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.testing.TestPki;
import dev.portico.gateway.lifecycle.GracefulShutdown;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Http2Tls;
import dev.portico.gateway.support.OnContext;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain inside a gateway ({@link GatewayVerticle#drain}): what clients see on their connections
 * (HTTP/1.1 {@code Connection: close} and a closed connection, an HTTP/2 GOAWAY), and what the
 * metrics and readiness say, including the requests a grace period cuts off.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulShutdownTest {

  static TestPki.ClientFiles files;
  static Path serverCrt;
  static Path serverKey;

  @BeforeAll
  static void issue(@TempDir Path dir) throws Exception {
    files = TestPki.ClientFiles.write(dir, "Portico Drain CA", "client", "unused");
    Path[] pem = files.pki().server("localhost").writePem(dir, "server");
    serverCrt = pem[0];
    serverKey = pem[1];
  }

  @Test
  void aKeepAliveConnectionGetsConnectionCloseOnItsNextResponseAndIsClosed(Vertx vertx)
      throws Exception {
    int echo = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      gateway: { shutdown: { delay: PT20S, gracePeriod: PT30S } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(echo));
    Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    AtomicInteger closed = new AtomicInteger();
    HttpClient client =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setKeepAlive(true))
            .with(new PoolOptions().setHttp1MaxSize(1))
            .withConnectHandler(
                c -> {
                  connections.add(c);
                  c.closeHandler(v -> closed.incrementAndGet());
                })
            .build();

    HttpClientResponse before = get(vertx, client, gw.trafficPort(), "/a/1");
    assertThat(before.getHeader("connection")).isNull();
    assertThat(gw.drain("test").isComplete()).isFalse();
    // the delay keeps the listener open: the same connection is used once more, and told to go
    HttpClientResponse after = get(vertx, client, gw.trafficPort(), "/a/2");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.getHeader("connection")).isEqualTo("close");
    assertThat(connections).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() == 1);
  }

  @Test
  void anHttp2ConnectionGetsAGoawayAndItsOpenStreamFinishes(Vertx vertx) throws Exception {
    Promise<Void> slowArrived = Promise.promise();
    int backend =
        Backends.http(
                vertx,
                req -> {
                  if (req.path().equals("/slow")) {
                    slowArrived.tryComplete();
                    vertx.setTimer(1_000, t -> req.response().end("slow"));
                  } else {
                    req.response().end("fast");
                  }
                })
            .actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      certificates: [ { id: gw, certPath: "%s", keyPath: "%s" } ]
      gateway: { shutdown: { delay: PT20S, gracePeriod: PT30S } }
      listeners: { traffic: { host: 127.0.0.1, port: 0, https: { certificateId: gw } } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(serverCrt, serverKey, backend));
    Promise<Void> goAway = Promise.promise();
    HttpClient h2 =
        vertx
            .httpClientBuilder()
            .with(Http2Tls.clientOptions(files.pki().trustOptions()))
            .withConnectHandler(c -> c.goAwayHandler(g -> goAway.tryComplete()))
            .build();

    HttpClientResponse first = get(vertx, h2, gw.trafficPort(), "/a/fast");
    assertThat(first.version()).isEqualTo(HttpVersion.HTTP_2);
    var slow =
        OnContext.run(
            vertx,
            () ->
                h2.request(options(gw.trafficPort(), "/a/slow"))
                    .compose(r -> r.send())
                    .compose(r -> r.body()));
    slowArrived.future().await(10, TimeUnit.SECONDS);
    gw.drain("test");
    // the next response on the connection brings the GOAWAY; the stream already open still
    // completes
    assertThat(get(vertx, h2, gw.trafficPort(), "/a/fast").statusCode()).isEqualTo(200);
    goAway.future().await(10, TimeUnit.SECONDS);
    assertThat(slow.await(10, TimeUnit.SECONDS).toString()).isEqualTo("slow");
  }

  @Test
  void requestsTheGracePeriodCutsOffAreCountedAndReadinessAndMetricsSayDraining(Vertx vertx)
      throws Exception {
    AtomicInteger received = new AtomicInteger();
    int never =
        Backends.http(
                vertx,
                req -> {
                  received.incrementAndGet();
                  req.response().setChunked(true).write("started");
                })
            .actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      gateway: { shutdown: { gracePeriod: PT1S } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(never));
    WebClient web = WebClient.create(vertx);
    assertThat(metric(web, gw, "portico_draining")).isEqualTo("0.0");
    assertThat(metric(web, gw, "portico_ready")).isEqualTo("1.0");
    HttpClient client = vertx.createHttpClient();
    OnContext.run(
        vertx,
        () ->
            client
                .request(options(gw.trafficPort(), "/a/x"))
                .compose(r -> r.send())
                .onSuccess(r -> r.exceptionHandler(e -> {})));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 1 && gw.inFlight() == 1);

    var outcome = gw.drain("test");
    HttpResponse<Buffer> ready =
        web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await();
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("DRAINING");
    assertThat(metric(web, gw, "portico_draining")).isEqualTo("1.0");
    assertThat(metric(web, gw, "portico_ready")).isEqualTo("0.0");

    GracefulShutdown.Outcome o = outcome.await(10, TimeUnit.SECONDS);
    assertThat(o.abandoned()).isEqualTo(1);
    assertThat(metric(web, gw, "portico_drain_abandoned_requests_total")).isEqualTo("1.0");
    // draining again is the same drain
    assertThat(gw.drain("again").await()).isSameAs(o);
  }

  static RequestOptions options(int port, String uri) {
    return new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost("localhost")
        .setPort(port)
        .setURI(uri);
  }

  static HttpClientResponse get(Vertx vertx, HttpClient client, int port, String uri)
      throws Exception {
    return OnContext.run(
            vertx,
            () ->
                client
                    .request(options(port, uri))
                    .compose(r -> r.send())
                    .compose(r -> r.body().map(b -> r)))
        .await(10, TimeUnit.SECONDS);
  }

  /** The value of an unlabelled series in the gateway's /metrics. */
  static String metric(WebClient web, GatewayVerticle gw, String name) {
    String text =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    return text.lines()
        .filter(l -> l.startsWith(name + " "))
        .map(l -> l.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in /metrics"));
  }
}
