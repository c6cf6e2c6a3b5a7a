package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayProcess;
import dev.portico.gateway.support.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT drain the real gateway process: readiness turns 503 at once, the listeners
 * close after {@code gateway.shutdown.delay}, requests in flight (a 50 MiB download too) finish,
 * and the process exits 0; what the grace period cuts off is logged; a second signal ends at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrainTest {

  static final long MIB = 1024 * 1024;

  Vertx vertx;
  HttpClient client;
  WebClient web;

  /** Requests the backend has received. */
  final AtomicInteger received = new AtomicInteger();

  int backendPort;
  // the gateway's ports, read from its ready line by start(): it starts on port 0
  int traffic;
  int management;
  GatewayProcess gateway;

  @BeforeEach
  void backend(Vertx vertx) {
    this.vertx = vertx;
    // one connection per request: the five must be in flight together
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(20));
    web = WebClient.create(vertx);
    HttpServer backend =
        Backends.http(
            vertx,
            req -> {
              received.incrementAndGet();
              String path = req.path();
              if (path.startsWith("/slow/")) {
                // answers after the given milliseconds
                long ms = Long.parseLong(path.substring("/slow/".length()));
                vertx.setTimer(ms, t -> req.response().end("slow " + req.getParam("n")));
              } else if (path.equals("/big")) {
                stream(req.response(), 50 * MIB);
              } else if (path.equals("/never")) {
                req.response().setChunked(true).write("started");
              } else {
                req.response().end("ok");
              }
            });
    backendPort = backend.actualPort();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  GatewayProcess start(Path dir, String shutdown) throws IOException {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
      gateway: { eventLoops: 2, shutdown: %s }
      listeners:
        traffic: { host: 127.0.0.1, port: 0 }
        management: { host: 127.0.0.1, port: 0 }
      backends: [ { id: b, url: "http://127.0.0.1:%d", timeouts: { response: PT60S } } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
            .formatted(shutdown, backendPort));
    gateway = GatewayProcess.start(List.of("--config", config.toString()), Map.of()).awaitReady();
    traffic = gateway.trafficPort();
    management = gateway.managementPort();
    return gateway;
  }

  @Test
  void fiveRequestsInFlightAllFinishWithTheirBodiesAndTheProcessExitsZero(@TempDir Path dir)
      throws Exception {
    start(dir, "{ gracePeriod: PT30S }");
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      inFlight.add(web.get(traffic, "127.0.0.1", "/a/slow/2000?n=" + i).send());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 5);
    long signalled = System.nanoTime();
    gateway.signal("TERM");

    // the JVM handles the signal on a thread of its own: readiness turns 503 as soon as it has
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                web.get(management, "127.0.0.1", "/health/ready").send().await().statusCode()
                    == 503);
    HttpResponse<Buffer> ready = web.get(management, "127.0.0.1", "/health/ready").send().await();
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("DRAINING");
    assertThat(ready.bodyAsJsonObject().getJsonArray("notReady").getString(0))
        .startsWith("draining: SIGTERM");

    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = inFlight.get(i).await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo("slow " + i);
      // the client is told not to reuse the connection
      assertThat(r.getHeader("connection")).isEqualTo("close");
    }
    assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(30));
    assertThat(gateway.stdout()).contains("draining (SIGTERM)").contains("every request finished");
    assertThat(gateway.log()).doesNotContain(" WARN ").doesNotContain(" ERROR ");
  }

  @Test
  void afterTheDelayNewConnectionsAreRefusedWhileARequestInFlightFinishes(@TempDir Path dir)
      throws Exception {
    start(dir, "{ delay: PT3S, gracePeriod: PT30S }");
    Future<HttpResponse<Buffer>> slow = web.get(traffic, "127.0.0.1", "/a/slow/10000?n=1").send();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 1);
    gateway.signal("TERM");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                web.get(management, "127.0.0.1", "/health/ready").send().await().statusCode()
                    == 503);

    // within the delay the listener still accepts, and says to go away
    HttpResponse<Buffer> during = web.get(traffic, "127.0.0.1", "/a/fast").send().await();
    assertThat(during.statusCode()).isEqualTo(200);
    assertThat(during.getHeader("connection")).isEqualTo("close");

    gateway.awaitLog("the listeners stop accepting connections", Duration.ofSeconds(20));
    // the listening socket closes as the listeners' shutdown begins (asynchronously): refused from
    // then on,
    // while the request in flight is still being answered
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> refused(traffic));
    assertThat(slow.isComplete()).as("the slow request is still in flight").isFalse();
    assertThat(refused(traffic)).isTrue();

    assertThat(slow.await().bodyAsString()).isEqualTo("slow 1");
    assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
  }

  @Test
  void a50MiBDownloadInFlightCompletes(@TempDir Path dir) throws Exception {
    start(dir, "{ gracePeriod: PT60S }");
    // the client holds the body back (paused) until the drain has closed the listeners
    HttpClientResponse res =
        OnContext.run(
                vertx,
                () ->
                    client
                        .request(
                            new RequestOptions()
                                .setMethod(HttpMethod.GET)
                                .setHost("127.0.0.1")
                                .setPort(traffic)
                                .setURI("/a/big"))
                        .compose(req -> req.send())
                        .map(
                            r -> {
                              r.pause();
                              return r;
                            }))
            .await(20, TimeUnit.SECONDS);
    AtomicLong n = new AtomicLong();
    Promise<Long> done = Promise.promise();
    res.handler(b -> n.addAndGet(b.length()))
        .endHandler(v -> done.complete(n.get()))
        .exceptionHandler(done::tryFail);
    gateway.signal("TERM");
    gateway.awaitLog("the listeners stop accepting connections", Duration.ofSeconds(20));
    res.resume();
    assertThat(done.future().await(60, TimeUnit.SECONDS)).isEqualTo(50 * MIB);
    assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
  }

  @Test
  void aSecondSignalEndsTheProcessAtOnce(@TempDir Path dir) throws Exception {
    start(dir, "{ gracePeriod: PT60S }");
    never();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 1);
    gateway.signal("INT");
    gateway.awaitLog("the listeners stop accepting connections", Duration.ofSeconds(20));
    assertThat(gateway.alive()).as("draining: the request to /never holds the process").isTrue();
    gateway.signal("INT");
    assertThat(gateway.awaitExit(Duration.ofSeconds(10))).isEqualTo(128 + 2);
    assertThat(gateway.log())
        .contains("SIGINT again: stopping now, 1 requests in flight are cut off");
  }

  @Test
  void whatTheGracePeriodCutsOffIsLoggedAndTheProcessStillExitsZero(@TempDir Path dir)
      throws Exception {
    start(dir, "{ gracePeriod: PT2S }");
    never();
    never();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 2);
    gateway.signal("TERM");
    assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(gateway.log())
        .contains(
            "drain: grace period of 2 s over with 2 requests still in flight: they are cut off");
  }

  /** Whether a TCP connection to the port is refused. */
  static boolean refused(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }

  /**
   * A request to a backend that starts its response and never ends it; the client ignores the
   * cut-off.
   */
  void never() {
    OnContext.run(
        vertx,
        () ->
            client
                .request(HttpMethod.GET, traffic, "127.0.0.1", "/a/never")
                .compose(req -> req.send())
                .onSuccess(r -> r.exceptionHandler(e -> {})));
  }

  /** Writes {@code total} bytes with back-pressure. */
  static void stream(HttpServerResponse res, long total) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    res.putHeader("content-length", String.valueOf(total));
    new Object() {
      long left = total;

      void pump() {
        while (left > 0 && !res.writeQueueFull()) {
          left -= chunk.length();
          res.write(chunk);
        }
        if (left > 0) {
          res.drainHandler(v -> pump());
        } else {
          res.drainHandler(null).end();
        }
      }
    }.pump();
  }
}
