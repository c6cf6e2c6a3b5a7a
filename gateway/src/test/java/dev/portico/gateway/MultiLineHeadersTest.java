package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * List headers that arrive on several field lines ({@code Via}, {@code X-Forwarded-For}, {@code
 * Forwarded}, {@code Connection}), with raw bytes: every line is read, kept in order when
 * forwarding, and this gateway's hop marker is matched as the exact {@code received-by} of a {@code
 * Via} element, on any line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiLineHeadersTest {

  static Vertx vertx;
  static Vertx other;
  static RecordingBackend backend;
  static GatewayVerticle gw;
  static GatewayVerticle gwA2;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    other = Vertx.vertx();
    backend = RecordingBackend.start(vertx);
    String yaml =
        """
      gateway: { id: %s }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: api, path: /, backend: b } ]
      """;
    gw = GatewayHarness.start(vertx, yaml.formatted("portico-a", backend.port()));
    // in a Vert.x of its own: gateways in one Vert.x would share their random traffic port
    gwA2 = GatewayHarness.start(other, yaml.formatted("portico-a2", backend.port()));
  }

  @AfterAll
  static void stop() {
    other.close().await();
    vertx.close().await();
  }

  static RawHttp.Response get(GatewayVerticle gateway, String fields) throws Exception {
    return RawHttp.exchange(
        gateway.trafficPort(), "GET /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n");
  }

  @Test
  void viaLinesAreKeptInOrderAndOurHopAppended() throws Exception {
    RawHttp.Response r =
        get(gw, "Via: 1.0 edge-1\r\nVia: 1.1 portico-a2, 1.1 portico-a.example (portico-a)\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(backend.last().headers().getAll("via"))
        .containsExactly(
            "1.0 edge-1, 1.1 portico-a2, 1.1 portico-a.example (portico-a), 1.1 portico-a");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Via: 1.1 portico-a\r\n",
        "Via: 1.0 edge-1\r\nVia: 1.1 edge-2, HTTP/1.1 portico-a\r\n",
        "Via: 1.0 edge-1 (comment, with a comma), 1.1 PORTICO-A\r\n",
        "Via: 1.1 portico-a (Portico gateway)\r\nVia: 1.0 edge-1\r\n",
        "Via: 1.0 edge-1,1.1   portico-a\r\n",
      })
  void ourHopMarkerOnAnyLineIsALoop(String via) throws Exception {
    int before = backend.seen().size();
    RawHttp.Response r = get(gw, via);
    assertThat(r.status()).isEqualTo(508);
    assertThat(r.reason()).isEqualTo("LoopDetected");
    assertThat(backend.seen()).hasSize(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Via: 1.1 portico-a\r\n",
        "Via: 1.0 edge-1\r\nVia: 1.1 portico-a\r\n",
        "Via: 1.1 portico-a2x, 1.1 xportico-a2\r\n",
        "Via: 1.1 edge (portico-a2)\r\n",
      })
  void aMarkerThatOnlyContainsOursIsNoLoop(String via) throws Exception {
    // gateway portico-a2 must not take portico-a (a prefix of its id) for itself, nor names around
    // it
    assertThat(get(gwA2, via).status()).isEqualTo(200);
    assertThat(backend.last().headers().get("via")).endsWith(", 1.1 portico-a2");
  }

  @Test
  void forwardingListsOnSeveralLinesAreJoinedInOrder() throws Exception {
    RawHttp.Response r =
        get(
            gw,
            "X-Forwarded-For: 203.0.113.1\r\nX-Forwarded-For: 198.51.100.2, 192.0.2.3\r\n"
                + "Forwarded: for=203.0.113.1\r\nForwarded: for=198.51.100.2;proto=https\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(backend.last().headers().getAll("x-forwarded-for"))
        .containsExactly("203.0.113.1, 198.51.100.2, 192.0.2.3, 127.0.0.1");
    assertThat(backend.last().headers().getAll("forwarded"))
        .containsExactly(
            "for=203.0.113.1, for=198.51.100.2;proto=https, " + "for=127.0.0.1;host=h;proto=http");
  }

  @Test
  void everyConnectionLineNamesHopByHopFields() throws Exception {
    RawHttp.Response r =
        get(gw, "Connection: X-A\r\nConnection: keep-alive, X-B\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(backend.last().headers().names()).doesNotContain("X-A", "X-B", "x-a", "x-b");
    assertThat(backend.last().headers().get("x-c")).isEqualTo("3");
    assertThat(List.of(r.header("connection") == null ? "" : r.header("connection")))
        .doesNotContain("close");
  }
}
