package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OnContext;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 50 MiB each way through the gateway, intact (SHA-256), and streamed: each side waits, after the
 * first MiB, until the far side has seen that MiB. A gateway that buffered a whole body would
 * deadlock here and the test would time out.
 */
@ExtendWith(VertxExtension.class)
class StreamingTest {

  static final int CHUNK = 64 * 1024;
  static final long TOTAL = 50L * 1024 * 1024;
  static final long FIRST_MIB = 1024 * 1024;

  Vertx vertx;
  HttpClient client;
  WebClient web;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient();
    this.web = WebClient.create(vertx);
  }

  @ParameterizedTest(name = "upload, content-length={0}")
  @ValueSource(booleans = {true, false})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void uploadOf50MiBStreamsThroughIntact(boolean withContentLength) throws Exception {
    Promise<Void> backendSawFirstMiB = Promise.promise();
    HttpServer backend =
        Backends.http(
            vertx,
            req -> {
              MessageDigest md = sha256();
              AtomicLong seen = new AtomicLong();
              req.handler(
                  buf -> {
                    md.update(buf.getBytes());
                    if (seen.addAndGet(buf.length()) >= FIRST_MIB) {
                      backendSawFirstMiB.tryComplete();
                    }
                  });
              req.endHandler(
                  v ->
                      req.response()
                          .end(
                              new JsonObject()
                                  .put("bytes", seen.get())
                                  .put("sha256", HexFormat.of().formatHex(md.digest()))
                                  .encode()));
            });
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: sink, url: "http://127.0.0.1:%d/store" }
      apis:
        - { id: upload, path: /up, backend: sink }
      """
                .formatted(backend.actualPort()));

    HttpClientRequest req =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(gw.trafficPort())
                    .setURI("/up/file"))
            .await();
    if (withContentLength) {
      req.putHeader("content-length", String.valueOf(TOTAL));
    } else {
      req.setChunked(true);
    }
    Promise<Buffer> bodyOf = Promise.promise();
    req.response().onSuccess(r -> r.body().onComplete(bodyOf));
    MessageDigest sent = sha256();
    long written = 0;
    int i = 0;
    while (written < TOTAL) {
      Buffer chunk = chunk(i++);
      sent.update(chunk.getBytes());
      req.write(chunk).await();
      written += chunk.length();
      if (written == FIRST_MIB) {
        backendSawFirstMiB.future().await(30, TimeUnit.SECONDS);
      }
    }
    HttpClientResponse res = req.end().compose(v -> req.response()).await();
    JsonObject body = bodyOf.future().await().toJsonObject();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(body.getLong("bytes")).isEqualTo(TOTAL);
    assertThat(body.getString("sha256")).isEqualTo(HexFormat.of().formatHex(sent.digest()));
  }

  @ParameterizedTest(name = "download, content-length={0}")
  @ValueSource(booleans = {true, false})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void downloadOf50MiBStreamsThroughIntact(boolean withContentLength) throws Exception {
    Promise<Void> clientSawFirstMiB = Promise.promise();
    MessageDigest served = sha256();
    HttpServer backend =
        Backends.http(
            vertx,
            req -> {
              HttpServerResponse res = req.response();
              if (withContentLength) {
                res.putHeader("content-length", String.valueOf(TOTAL));
              } else {
                res.setChunked(true);
              }
              new Object() {
                long sent;
                int i;

                void pump() {
                  while (sent < TOTAL && !res.writeQueueFull()) {
                    Buffer c = chunk(i++);
                    served.update(c.getBytes());
                    res.write(c);
                    sent += c.length();
                    if (sent == FIRST_MIB) {
                      // hold the rest until the client has the first MiB: proves the gateway
                      // streams
                      clientSawFirstMiB.future().onSuccess(v -> pump());
                      return;
                    }
                  }
                  if (sent >= TOTAL) {
                    res.end();
                  } else if (res.writeQueueFull()) {
                    res.drainHandler(v -> pump());
                  }
                }
              }.pump();
            });
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: source, url: "http://127.0.0.1:%d" }
      apis:
        - { id: download, path: /down, backend: source }
      """
                .formatted(backend.actualPort()));

    MessageDigest received = sha256();
    AtomicLong count = new AtomicLong();
    Promise<Void> done = Promise.promise();
    // handlers are set in the callback that delivers the response, before any body event can pass
    HttpClientResponse res =
        OnContext.run(
                vertx,
                () ->
                    client
                        .request(HttpMethod.GET, gw.trafficPort(), "127.0.0.1", "/down/big.bin")
                        .compose(HttpClientRequest::send)
                        .onSuccess(
                            r -> {
                              r.handler(
                                  buf -> {
                                    received.update(buf.getBytes());
                                    if (count.addAndGet(buf.length()) >= FIRST_MIB) {
                                      clientSawFirstMiB.tryComplete();
                                    }
                                  });
                              r.endHandler(v -> done.complete());
                              r.exceptionHandler(done::tryFail);
                            }))
            .await();
    done.future().await(90, TimeUnit.SECONDS);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(count.get()).isEqualTo(TOTAL);
    assertThat(HexFormat.of().formatHex(received.digest()))
        .isEqualTo(HexFormat.of().formatHex(served.digest()));
    if (withContentLength) {
      assertThat(res.getHeader("content-length")).isEqualTo(String.valueOf(TOTAL));
    } else {
      assertThat(res.getHeader("transfer-encoding")).isEqualTo("chunked");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void headAndNoContentResponsesKeepTheirHeadersWithoutBody() {
    HttpServer backend =
        Backends.http(
            vertx,
            req -> {
              if (req.path().equals("/empty")) {
                req.response().setStatusCode(204).end();
              } else {
                req.response().putHeader("content-length", "1234").end();
              }
            });
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: b, url: "http://127.0.0.1:%d" }
      apis:
        - { id: a, path: /, backend: b }
      """
                .formatted(backend.actualPort()));
    var head = web.head(gw.trafficPort(), "127.0.0.1", "/file").send().await();
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("content-length")).isEqualTo("1234");
    assertThat(head.body()).isNull();
    var empty = web.delete(gw.trafficPort(), "127.0.0.1", "/empty").send().await();
    assertThat(empty.statusCode()).isEqualTo(204);
    assertThat(empty.body()).isNull();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aBackendThatStallsMidBodyIsCutOffAfterTheResponseTimeout() {
    HttpServer backend =
        Backends.http(
            vertx, req -> req.response().setChunked(true).write("first bytes, then silence"));
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: stall, url: "http://127.0.0.1:%d", timeouts: { response: PT0.5S } }
      apis:
        - { id: a, path: /, backend: stall }
      """
                .formatted(backend.actualPort()));
    // the headers came in time (status 200 is on its way); the body is then broken off, never ended
    io.vertx.core.Future<?> call = web.get(gw.trafficPort(), "127.0.0.1", "/x").send();
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(call::isComplete);
    assertThat(call.failed()).as("a stalled body must not look complete").isTrue();
  }

  @Test
  void aSlowBodyThatKeepsComingIsNotCutOff() {
    // six chunks 200 ms apart: 1.2 s in all, but never 0.5 s without data
    HttpServer backend =
        Backends.http(
            vertx,
            req -> {
              req.response().setChunked(true);
              int[] sent = {0};
              vertx.setPeriodic(
                  200,
                  id -> {
                    if (sent[0] < 6) {
                      req.response().write("part" + sent[0]++ + ";");
                    } else {
                      vertx.cancelTimer(id);
                      req.response().end();
                    }
                  });
            });
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: slow, url: "http://127.0.0.1:%d", timeouts: { response: PT0.5S } }
      apis:
        - { id: a, path: /, backend: slow }
      """
                .formatted(backend.actualPort()));
    io.vertx.ext.web.client.HttpResponse<Buffer> r =
        web.get(gw.trafficPort(), "127.0.0.1", "/x").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).isEqualTo("part0;part1;part2;part3;part4;part5;");
  }

  static Buffer chunk(int index) {
    byte[] b = new byte[CHUNK];
    new Random(index * 31L + 7).nextBytes(b);
    return Buffer.buffer(b);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
