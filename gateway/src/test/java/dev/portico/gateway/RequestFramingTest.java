package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9112 framing and syntax at the edge, with raw bytes over loopback sockets: what Netty and
 * Vert.x would forgive (and so forward, or mis-frame into a smuggled request) is refused with a
 * problem document and the connection closed, and the backend never sees it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestFramingTest {

  static Vertx vertx;
  static RecordingBackend backend;
  static GatewayVerticle gw;
  static final AtomicInteger barriers = new AtomicInteger();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    backend = RecordingBackend.start(vertx);
    gw =
        GatewayHarness.start(
            vertx,
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d/svc" } ]
      apis: [ { id: api, path: /api, backend: b } ]
      """
                .formatted(backend.port()));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static Stream<Arguments> refusedHeads() {
    String longTarget = "/api/" + "a".repeat(5000);
    String bigHeaders = "X-Big: " + "b".repeat(9000) + "\r\n";
    return Stream.of(
        // RFC 9112 6.3: message body length
        arguments(
            "Content-Length with Transfer-Encoding",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "both Transfer-Encoding and Content-Length"),
        arguments(
            "Transfer-Encoding with Content-Length after it",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n",
            400,
            "both Transfer-Encoding and Content-Length"),
        arguments(
            "final coding not chunked",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"
                + "GET /api/smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "final transfer coding is not chunked"),
        arguments(
            "chunked then gzip",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n",
            400,
            "final transfer coding is not chunked"),
        arguments(
            "chunked twice on two lines",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400,
            "applied more than once"),
        arguments(
            "an unknown coding before chunked",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n",
            501,
            "not implemented: gzip"),
        arguments(
            "Transfer-Encoding in HTTP/1.0",
            "POST /api/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "not allowed in an HTTP/1.0 request"),
        arguments(
            "two Content-Lengths that differ",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                + "Content-Length: 4\r\n\r\nabcd",
            400,
            "Multiple Content-Length values"),
        arguments(
            "a Content-Length list that differs",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd",
            400,
            "Multiple Content-Length values"),
        arguments(
            "a signed Content-Length",
            "POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc",
            400,
            "not a number"),
        // RFC 9112 3.2: Host
        arguments(
            "no Host in HTTP/1.1", "GET /api/x HTTP/1.1\r\n\r\n", 400, "needs a Host header field"),
        arguments(
            "two Hosts",
            "GET /api/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
            "2 Host header fields"),
        arguments(
            "a Host with a space",
            "GET /api/x HTTP/1.1\r\nHost: a b\r\n\r\n",
            400,
            "not a valid host[:port]"),
        arguments(
            "a Host with a bad port",
            "GET /api/x HTTP/1.1\r\nHost: a:8x\r\n\r\n",
            400,
            "not a valid host[:port]"),
        arguments(
            "a Host with userinfo",
            "GET /api/x HTTP/1.1\r\nHost: user@a\r\n\r\n",
            400,
            "not a valid host[:port]"),
        arguments(
            "an empty Host",
            "GET /api/x HTTP/1.1\r\nHost: \r\n\r\n",
            400,
            "not a valid host[:port]"),
        // control characters, RFC 9112 2.2, 3, 5
        arguments(
            "NUL in the target",
            "GET /api/a\u0000b HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "control character 0x0 in the request line"),
        arguments(
            "SOH in the target",
            "GET /api/a\u0001b HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "control character 0x1 in the request line"),
        arguments(
            "DEL in the target",
            "GET /api/a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "control character 0x7f in the request line"),
        arguments("a CR in the target", "GET /api/a\rb HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        arguments("a tab in the target", "GET /api/a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        arguments(
            "a byte above 0x7E in the target",
            "GET /api/caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n",
            400,
            "above 0x7E"),
        arguments(
            "NUL in a field value",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n",
            400,
            null),
        arguments(
            "SOH in a field value",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\u0001b\r\n\r\n",
            400,
            null),
        arguments(
            "DEL in a field value",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\u007fb\r\n\r\n",
            400,
            null),
        arguments(
            "a bare CR in a field value",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n",
            400,
            null),
        arguments(
            "a bare LF in a field value",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\nX-Injected: 1\r\n\r\n",
            400,
            null),
        arguments(
            "SOH in a field name",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX\u0001A: a\r\n\r\n",
            400,
            null),
        arguments(
            "whitespace before the colon",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A : a\r\n\r\n",
            400,
            null),
        arguments(
            "obsolete line folding",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\r\n  folded\r\n\r\n",
            400,
            "obsolete line folding"),
        arguments(
            "a tab-folded line",
            "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: a\r\n\tfolded\r\n\r\n",
            400,
            "obsolete line folding"),
        arguments(
            "a first field line starting with a space",
            "GET /api/x HTTP/1.1\r\n Host: h\r\n\r\n",
            400,
            "obsolete line folding"),
        arguments("bare LF line endings", "GET /api/x HTTP/1.1\nHost: h\n\n", 400, null),
        // sizes
        arguments(
            "a request line over 4 KiB",
            "GET " + longTarget + " HTTP/1.1\r\nHost: h\r\n\r\n",
            414,
            "request line"),
        arguments(
            "header fields over 8 KiB",
            "GET /api/x HTTP/1.1\r\nHost: h\r\n" + bigHeaders + "\r\n",
            431,
            "header fields"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void refusedHeads(String name, String request, int status, String detail) throws Exception {
    int before = backend.seen().size();
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      RawHttp.Response r = http.send(request).read();
      assertThat(r.status()).as(r.body()).isEqualTo(status);
      assertThat(r.isProblem()).isTrue();
      assertThat(r.reason())
          .isEqualTo(
              switch (status) {
                case 400 -> "BadRequest";
                case 414, 431 -> "RequestTooLarge";
                default -> "NotImplemented";
              });
      if (detail != null) {
        assertThat(r.member("detail")).contains(detail);
      }
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(r.header("x-request-id")).isEqualTo(r.member("requestId"));
      assertThat(http.closedByPeer()).as("the connection is closed after the refusal").isTrue();
    }
    assertNothingForwardedSince(before);
  }

  @Test
  void aValidRequestOnTheSameListenerIsForwarded() throws Exception {
    int before = backend.seen().size();
    RawHttp.Response r =
        RawHttp.exchange(
            gw.trafficPort(),
            "POST /api/ok HTTP/1.1\r\nHost: h:80\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(backend.seen()).hasSize(before + 1);
    assertThat(backend.last().uri()).isEqualTo("/svc/ok");
    assertThat(backend.last().body().future().await()).isEqualTo("abc");
    // HTTP/1.0 needs no Host
    assertThat(RawHttp.exchange(gw.trafficPort(), "GET /api/old HTTP/1.0\r\n\r\n").status())
        .isEqualTo(200);
  }

  static Stream<Arguments> malformedChunkedBodies() {
    return Stream.of(
        arguments("a size line that is no hex number", "zz\r\nabc\r\n0\r\n\r\n"),
        arguments("chunk data without its CRLF", "3\r\nabcXX0\r\n\r\n"),
        arguments("a chunk size that overflows", "FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"),
        arguments("a trailer line without a colon", "0\r\nnot a trailer\r\n\r\n"),
        arguments("an empty size line", "\r\nabc\r\n0\r\n\r\n"));
  }

  /**
   * The body breaks off after the backend has seen the request start: the client gets a 400 problem
   * (the response has not started), the backend's request is aborted, nothing hangs.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource
  void malformedChunkedBodies(String name, String malformed) throws Exception {
    int before = backend.seen().size();
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send(
          "POST /api/upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      await().atMost(10, TimeUnit.SECONDS).until(() -> backend.seen().size() > before);
      RecordingBackend.Seen seen = backend.seen().get(before);
      assertThat(seen.uri()).isEqualTo("/svc/upload");
      http.send(malformed);
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.isProblem()).isTrue();
      assertThat(r.reason()).isEqualTo("BadRequest");
      assertThat(r.member("detail")).startsWith("malformed chunked request body");
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(http.closedByPeer()).isTrue();
      await().atMost(10, TimeUnit.SECONDS).until(seen::aborted);
    }
    assertNothingForwardedSince(before + 1);
  }

  @Test
  void aMalformedChunkedBodyBeforeTheBackendIsReachedIsRefusedToo() throws Exception {
    int before = backend.seen().size();
    RawHttp.Response r =
        RawHttp.exchange(
            gw.trafficPort(),
            "POST /api/upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.member("detail")).startsWith("malformed chunked request body");
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                backend.seen().subList(before, backend.seen().size()).stream()
                    .allMatch(RecordingBackend.Seen::aborted));
  }

  @Test
  void closeListedAmongOtherConnectionOptionsIsHonouredAndTheListedFieldsDropped()
      throws Exception {
    for (String connection :
        List.of(
            "Connection: close, X-Foo\r\n",
            "Connection: X-Foo\r\nConnection: CLOSE\r\n",
            "Connection: X-Foo,close\r\n")) {
      try (RawHttp http = new RawHttp(gw.trafficPort())) {
        RawHttp.Response r =
            http.send(
                    "GET /api/close HTTP/1.1\r\nHost: h\r\n"
                        + connection
                        + "X-Foo: hop\r\nX-Bar: end-to-end\r\n\r\n")
                .read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(http.closedByPeer()).as(connection).isTrue();
      }
      assertThat(backend.last().headers().contains("x-foo")).as(connection).isFalse();
      assertThat(backend.last().headers().get("x-bar")).isEqualTo("end-to-end");
      assertThat(backend.last().headers().get("connection")).isNull();
    }
    // without close the connection stays for the next request, whatever else is listed
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send(
          "GET /api/one HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Foo\r\nX-Foo: hop\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      assertThat(backend.last().headers().contains("x-foo")).isFalse();
      http.send("GET /api/two HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      assertThat(backend.last().uri()).isEqualTo("/svc/two");
    }
  }

  @Test
  void aRefusalAfterPipelinedRequestsAnswersThoseFirst() throws Exception {
    int before = backend.seen().size();
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      http.send(
          "GET /api/p1 HTTP/1.1\r\nHost: h\r\n\r\nGET /api/p2 HTTP/1.1\r\nHost: h\r\n\r\n"
              + "GET /api/p3 HTTP/1.1\r\nHost: h\r\nX-A: a\r\n folded\r\n\r\nGET /api/p4 HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      assertThat(http.read().status()).isEqualTo(200);
      RawHttp.Response refused = http.read();
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.member("detail")).contains("obsolete line folding");
      assertThat(http.closedByPeer()).isTrue();
    }
    assertThat(backend.uris().subList(before, before + 2)).containsExactly("/svc/p1", "/svc/p2");
    assertNothingForwardedSince(before + 2);
  }

  /**
   * Nothing of a refused request reached the backend: a request sent afterwards on a new connection
   * is the only one it saw since (an event to wait for, rather than a pause).
   */
  static void assertNothingForwardedSince(int before) throws Exception {
    String barrier = "/api/barrier-" + barriers.incrementAndGet();
    assertThat(
            RawHttp.exchange(gw.trafficPort(), "GET " + barrier + " HTTP/1.1\r\nHost: h\r\n\r\n")
                .status())
        .isEqualTo(200);
    assertThat(backend.uris().subList(before, backend.seen().size()))
        .containsExactly("/svc" + barrier.substring(4));
  }
}
