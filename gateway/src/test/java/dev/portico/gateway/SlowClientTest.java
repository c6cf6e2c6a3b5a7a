package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow and idle clients are cut off by the listener's timeouts ({@code listeners.*.timeouts}), over
 * raw sockets, while other clients are served normally; a slow backend is not mistaken for an idle
 * client. The timeouts here are short so the test is quick; the bounds are generous.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowClientTest {

  static final long HEAD_TIMEOUT_MS = 2000;

  Vertx vertx;
  RecordingBackend backend;
  GatewayVerticle gw;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    backend = RecordingBackend.start(vertx);
    int slow =
        Backends.http(vertx, req -> vertx.setTimer(2500, t -> req.response().end("late but fine")))
            .actualPort();
    gw =
        GatewayHarness.start(
            vertx,
            """
      listeners:
        traffic: { timeouts: { requestHeaders: PT2S, requestBodyIdle: PT1S, keepAlive: PT1S } }
      backends:
        - { id: b, url: "http://127.0.0.1:%d" }
        - { id: slow, url: "http://127.0.0.1:%d" }
      apis:
        - { id: api, path: /api, backend: b }
        - { id: slow, path: /slow, backend: slow }
      """
                .formatted(backend.port(), slow));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aHeadSentOneBytePerSecondIsCutOffAtTheHeadTimeoutWhileOthersAreServed() throws Exception {
    byte[] head =
        ("GET /api/slowloris HTTP/1.1\r\nHost: h\r\nX-Padding: " + "p".repeat(100) + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    Buffer received = Buffer.buffer();
    Promise<Long> closedAt = Promise.promise();
    NetSocket so = vertx.createNetClient().connect(gw.trafficPort(), "127.0.0.1").await();
    long opened = System.nanoTime();
    AtomicInteger sent = new AtomicInteger();
    so.handler(received::appendBuffer);
    so.closeHandler(v -> closedAt.tryComplete(System.nanoTime()));
    long writer =
        vertx.setPeriodic(
            0,
            1000,
            t -> {
              int i = sent.getAndIncrement();
              if (i < head.length) {
                so.write(Buffer.buffer(new byte[] {head[i]}));
              }
            });
    try {
      // meanwhile the listener serves everybody else (a bounded loop: at most 500 requests)
      int served = 0;
      while (!closedAt.future().isComplete() && served < 500) {
        RawHttp.Response r =
            RawHttp.exchange(
                gw.trafficPort(), "GET /api/other-" + served + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        served++;
      }
      long cutOffMs =
          TimeUnit.NANOSECONDS.toMillis(
              closedAt.future().await(HEAD_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS) - opened);
      System.out.printf(
          "slowloris: cut off after %d ms (head timeout %d ms, %d bytes of %d sent), %d other requests served"
              + " meanwhile%n",
          cutOffMs, HEAD_TIMEOUT_MS, sent.get(), head.length, served);
      assertThat(cutOffMs)
          .as("not before the head timeout")
          .isGreaterThanOrEqualTo(HEAD_TIMEOUT_MS - 50);
      assertThat(served).isGreaterThan(0);
      String answer = received.toString(StandardCharsets.ISO_8859_1);
      assertThat(answer)
          .startsWith("HTTP/1.1 408 ")
          .contains("application/problem+json")
          .contains("\"RequestTimeout\"")
          .contains("connection: close")
          .contains("did not arrive within PT2S");
      assertThat(backend.uris()).noneMatch(u -> u.contains("slowloris"));
    } finally {
      vertx.cancelTimer(writer);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedSilently() throws Exception {
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      long opened = System.nanoTime();
      assertThat(http.closedByPeer()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened))
          .isGreaterThanOrEqualTo(HEAD_TIMEOUT_MS - 50);
    }
  }

  @Test
  void aKeepAliveConnectionIdleLongerThanTheKeepAliveTimeoutIsClosed() throws Exception {
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      // within the keep-alive time, requests keep the connection
      for (int i = 0; i < 3; i++) {
        assertThat(http.send("GET /api/ka-" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
            .isEqualTo(200);
      }
      long answered = System.nanoTime();
      assertThat(http.closedByPeer()).as("closed after the keep-alive timeout").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered))
          .isGreaterThanOrEqualTo(950);
    }
  }

  @Test
  void aSlowBackendIsNotAnIdleClient() throws Exception {
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      // the backend takes longer than both the keep-alive and the head timeouts
      RawHttp.Response r = http.send("GET /slow/x HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("late but fine");
      assertThat(http.send("GET /api/after HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
          .isEqualTo(200);
    }
  }

  @Test
  void aBodyThatStopsFlowingIsAnswered408AndTheBackendRequestAborted() throws Exception {
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send("POST /api/upload HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n0123456789");
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> backend.uris().contains("/api/upload".substring(4)));
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.isProblem()).isTrue();
      assertThat(r.reason()).isEqualTo("RequestTimeout");
      assertThat(r.member("detail")).contains("paused for longer than PT1S");
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(http.closedByPeer()).isTrue();
      await().atMost(10, TimeUnit.SECONDS).until(() -> backend.last().aborted());
    }
  }

  @Test
  void aBodyThatKeepsFlowingSlowlyIsNotCutOff() throws Exception {
    NetSocket so = vertx.createNetClient().connect(gw.trafficPort(), "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    so.handler(received::appendBuffer);
    so.write("POST /api/trickle HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n");
    AtomicInteger sent = new AtomicInteger();
    // one byte every 400 ms: each pause is shorter than the body idle timeout, the whole body
    // longer
    long writer =
        vertx.setPeriodic(
            400,
            t -> {
              if (sent.getAndIncrement() < 6) {
                so.write("x");
              }
            });
    try {
      await().atMost(20, TimeUnit.SECONDS).until(() -> received.toString().contains("\r\n\r\nok"));
      assertThat(received.toString()).startsWith("HTTP/1.1 200 ");
      assertThat(backend.last().body().future().await()).isEqualTo("xxxxxx");
    } finally {
      vertx.cancelTimer(writer);
      so.close();
    }
  }
}
