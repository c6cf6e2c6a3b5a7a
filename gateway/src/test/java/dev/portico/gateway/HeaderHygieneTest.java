package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeaderHygieneTest {

  @Test
  void hopByHopHeadersAreDroppedAndForwardingHeadersSet(Vertx vertx) {
    int port =
        Backends.http(
                vertx,
                req ->
                    req.response()
                        .putHeader("connection", "keep-alive, x-backend-hop")
                        .putHeader("x-backend-hop", "internal")
                        .putHeader("keep-alive", "timeout=5")
                        .putHeader("x-kept", "yes")
                        .putHeader("content-type", "application/json")
                        .end(
                            new JsonObject()
                                .put("headers", headersOf(req.headers()))
                                .put("uri", req.uri())
                                .encode()))
            .actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: b, url: "http://127.0.0.1:%d/svc" }
      apis:
        - { id: a, path: /api, backend: b }
      """
                .formatted(port));
    HttpResponse<Buffer> res =
        WebClient.create(vertx)
            .get(gw.trafficPort(), "127.0.0.1", "/api/items/7?q=1&r=two")
            .putHeader("Connection", "keep-alive, X-Client-Hop")
            .putHeader("X-Client-Hop", "secret-to-this-hop")
            .putHeader("Keep-Alive", "timeout=10")
            .putHeader("Proxy-Authorization", "Basic Zm9vOmJhcg==")
            .putHeader("TE", "trailers")
            .putHeader("Upgrade", "h2c")
            .putHeader("X-Forwarded-For", "203.0.113.9")
            .putHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .putHeader("tracestate", "vendor=1")
            .putHeader("X-Custom", "kept")
            .send()
            .await();
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject body = res.bodyAsJsonObject();
    JsonObject seen = body.getJsonObject("headers");

    // path: prefix replaced by the backend base path, rest and query kept
    assertThat(body.getString("uri")).isEqualTo("/svc/items/7?q=1&r=two");
    // hop-by-hop, including the one named in Connection
    assertThat(seen.fieldNames())
        .doesNotContain("x-client-hop", "keep-alive", "proxy-authorization", "te", "upgrade");
    assertThat(seen.getString("connection", "")).doesNotContainIgnoringCase("x-client-hop");
    // end-to-end headers pass
    assertThat(seen.getString("x-custom")).isEqualTo("kept");
    assertThat(seen.getString("traceparent"))
        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(seen.getString("tracestate")).isEqualTo("vendor=1");
    // forwarding
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("203.0.113.9, 127.0.0.1");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo("127.0.0.1:" + gw.trafficPort());
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.getString("forwarded"))
        .isEqualTo("for=127.0.0.1;host=\"127.0.0.1:" + gw.trafficPort() + "\";proto=http");
    assertThat(seen.getString("host")).isEqualTo("127.0.0.1:" + port);
    assertThat(seen.getString("via")).startsWith("1.1 portico-");
    // request id generated, sent to the backend, returned to the client
    String requestId = res.getHeader("x-request-id");
    assertThat(requestId).matches("[0-9a-f]{32}");
    assertThat(seen.getString("x-request-id")).isEqualTo(requestId);
    // response side: hop-by-hop dropped, others kept
    assertThat(res.headers().contains("x-backend-hop")).isFalse();
    assertThat(res.headers().contains("keep-alive")).isFalse();
    assertThat(res.getHeader("x-kept")).isEqualTo("yes");
  }

  @Test
  void anIncomingRequestIdIsKept(Vertx vertx) {
    int port = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw = gatewayTo(vertx, port);
    HttpResponse<Buffer> res =
        WebClient.create(vertx)
            .get(gw.trafficPort(), "127.0.0.1", "/x")
            .putHeader("X-Request-Id", "client-chosen-42")
            .send()
            .await();
    assertThat(res.getHeader("x-request-id")).isEqualTo("client-chosen-42");
    assertThat(res.bodyAsJsonObject().getJsonObject("headers").getString("x-request-id"))
        .isEqualTo("client-chosen-42");
  }

  @Test
  void eachRequestOfAKeepAliveConnectionIsForwardedWithItsOwnHost(Vertx vertx) throws Exception {
    // the forwarding headers are built once per connection and Host, and reused: a later request
    // on the same connection with another Host, or with its own X-Forwarded-For, must not get the
    // first one's
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw = gatewayTo(vertx, backend.port());
    try (RawHttp http = new RawHttp(gw.trafficPort())) {
      for (String head :
          List.of(
              "GET /1 HTTP/1.1\r\nHost: a.example\r\n\r\n",
              "GET /2 HTTP/1.1\r\nHost: b.example:8443\r\n\r\n",
              "GET /3 HTTP/1.1\r\nHost: b.example:8443\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n",
              "GET /4 HTTP/1.1\r\nHost: a.example\r\n\r\n")) {
        assertThat(http.send(head).read().status()).isEqualTo(200);
      }
    }
    List<RecordingBackend.Seen> seen = backend.seen();
    assertThat(seen).hasSize(4);
    assertThat(seen.stream().map(s -> s.headers().get("x-forwarded-host")))
        .containsExactly("a.example", "b.example:8443", "b.example:8443", "a.example");
    assertThat(seen.stream().map(s -> s.headers().get("forwarded")))
        .containsExactly(
            "for=127.0.0.1;host=a.example;proto=http",
            "for=127.0.0.1;host=\"b.example:8443\";proto=http",
            "for=127.0.0.1;host=\"b.example:8443\";proto=http",
            "for=127.0.0.1;host=a.example;proto=http");
    assertThat(seen.stream().map(s -> s.headers().get("x-forwarded-for")))
        .containsExactly("127.0.0.1", "127.0.0.1", "203.0.113.9, 127.0.0.1", "127.0.0.1");
  }

  @Test
  void manyKeepAliveConnectionsEachKeepTheirOwnForwardingHeaders(Vertx vertx) throws Exception {
    // the per-connection memory of forwarding headers is a small table that connections share
    // slots of (and evict each other from): with 200 connections open at once, each with its own
    // Host, every request still gets its own connection's headers, on its first and second request
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw = gatewayTo(vertx, backend.port());
    int n = 200;
    List<RawHttp> conns = new ArrayList<>();
    try {
      for (int k = 0; k < n; k++) {
        conns.add(new RawHttp(gw.trafficPort()));
      }
      for (int round = 0; round < 2; round++) {
        for (int k = 0; k < n; k++) {
          String head = "GET /c" + k + " HTTP/1.1\r\nHost: h" + k + ".example\r\n\r\n";
          assertThat(conns.get(k).send(head).read().status()).isEqualTo(200);
        }
      }
    } finally {
      for (RawHttp c : conns) {
        c.close();
      }
    }
    List<RecordingBackend.Seen> seen = backend.seen();
    assertThat(seen).hasSize(2 * n);
    for (RecordingBackend.Seen s : seen) {
      String host = "h" + s.uri().substring("/c".length()) + ".example";
      assertThat(s.headers().get("x-forwarded-host")).as(s.uri()).isEqualTo(host);
      assertThat(s.headers().get("forwarded"))
          .as(s.uri())
          .isEqualTo("for=127.0.0.1;host=" + host + ";proto=http");
    }
  }

  /** A gateway with one API at {@code /} routing to the backend on {@code port}. */
  private static GatewayVerticle gatewayTo(Vertx vertx, int port) {
    return GatewayHarness.start(
        vertx,
        """
      backends:
        - { id: b, url: "http://127.0.0.1:%d" }
      apis:
        - { id: a, path: /, backend: b }
      """
            .formatted(port));
  }

  static JsonObject headersOf(io.vertx.core.MultiMap headers) {
    JsonObject out = new JsonObject();
    headers
        .names()
        .forEach(
            n ->
                out.put(
                    n.toLowerCase(java.util.Locale.ROOT), String.join(", ", headers.getAll(n))));
    return out;
  }
}
