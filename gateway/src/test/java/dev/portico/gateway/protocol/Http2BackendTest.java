package dev.portico.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.support.ConfigTexts;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code backends[].protocol: http2}: h2 negotiated by ALPN with an https backend, h2c with prior
 * knowledge with an http one; HTTP/1.1 stays the default. And the protocol settings' validation.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2BackendTest {

  /**
   * Answers with the HTTP version it was asked in, and how many streams its connection carried so
   * far.
   */
  static HttpServer versionEcho(Vertx vertx, HttpServerOptions options) {
    return vertx
        .createHttpServer(options)
        .requestHandler(
            req ->
                req.response()
                    .putHeader("content-type", "application/json")
                    .end(
                        new JsonObject()
                            .put("version", req.version().name())
                            .put("te", req.getHeader("te"))
                            .encode()))
        .listen(0, "127.0.0.1")
        .await();
  }

  @Test
  void http2ByAlpnOverTlsAndH2cWithPriorKnowledgeHttp11ByDefault(Vertx vertx) {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    HttpServer tls =
        versionEcho(
            vertx,
            new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(cert.keyCertOptions()));
    HttpServer clear = versionEcho(vertx, new HttpServerOptions().setHttp2ClearTextEnabled(true));
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - id: h2
          url: "https://127.0.0.1:%d"
          protocol: http2
          tls: { validateCertificateChain: false, validateCertificateName: false }
        - { id: h2c, url: "http://127.0.0.1:%d", protocol: http2, maxConcurrentStreams: 10 }
        - { id: h1, url: "http://127.0.0.1:%d" }
      apis:
        - { id: a, path: /tls, backend: h2 }
        - { id: b, path: /clear, backend: h2c }
        - { id: c, path: /old, backend: h1 }
      """
                .formatted(tls.actualPort(), clear.actualPort(), clear.actualPort()));
    WebClient web = WebClient.create(vertx);
    for (int i = 0; i < 3; i++) {
      assertThat(get(web, gw, "/tls/x").getString("version")).isEqualTo("HTTP_2");
      assertThat(get(web, gw, "/clear/x").getString("version")).isEqualTo("HTTP_2");
      assertThat(get(web, gw, "/old/x").getString("version")).isEqualTo("HTTP_1_1");
    }
    // te is hop-by-hop: only a gRPC call gets te: trailers
    assertThat(get(web, gw, "/clear/x").getString("te")).isNull();
  }

  private static JsonObject get(WebClient web, GatewayVerticle gw, String uri) {
    var res = web.get(gw.trafficPort(), "127.0.0.1", uri).send().await();
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  @Test
  void protocolSettingsBindAndAreValidated() {
    GatewayConfig c =
        ConfigTexts.load(
            """
      listeners: { traffic: { h2c: true } }
      backends:
        - { id: g, url: "http://10.0.0.1:50051", protocol: http2, maxConcurrentStreams: 20 }
        - { id: h, url: "http://10.0.0.1:8080", protocol: http }
      apis:
        - id: a
          path: /a
          backend: g
          websocket: { idleTimeout: PT1M }
          operations:
            - { method: GET, path: /live }
            - { method: GET, path: /off, websocket: false }
          retry: { count: 1, grpcStatuses: [UNAVAILABLE] }
        - { id: b, path: /b, backend: h, websocket: true }
      """,
            Map.of());
    assertThat(c.listeners().traffic().h2c()).isTrue();
    assertThat(((SingleBackendConfig) c.backends().get(0)).protocol())
        .isEqualTo(new BackendProtocol(BackendProtocol.Version.HTTP2, 20));
    assertThat(((SingleBackendConfig) c.backends().get(1)).protocol())
        .isEqualTo(BackendProtocol.HTTP1);
    assertThat(c.apis().get(0).websocket()).isEqualTo(new WebSocketConfig(Duration.ofMinutes(1)));
    assertThat(c.apis().get(0).operations().get(0).websocketWithin(c.apis().get(0).websocket()))
        .isEqualTo(new WebSocketConfig(Duration.ofMinutes(1)));
    assertThat(c.apis().get(0).operations().get(1).websocketWithin(c.apis().get(0).websocket()))
        .isNull();
    assertThat(c.apis().get(0).retry().grpcStatuses()).containsExactly("UNAVAILABLE");
    assertThat(c.apis().get(1).websocket()).isEqualTo(WebSocketConfig.DEFAULT);

    assertThat(
            ConfigTexts.problems(
                """
      listeners:
        traffic: { h2c: true, https: { certificateId: c } }
        management: { h2c: true }
      backends:
        - { id: g, url: "http://10.0.0.1:50051", protocol: http3 }
        - { id: h, url: "http://10.0.0.1:8080", maxConcurrentStreams: 5 }
      apis:
        - { id: a, path: /a, backend: h, websocket: yes please, retry: { count: 1, grpcStatuses: [OK] } }
      """,
                Map.of()))
        .contains(
            "gw.yaml: listeners.traffic.h2c: h2c is cleartext HTTP/2 for a plain listener; an https listener offers HTTP/2 by ALPN",
            "gw.yaml: backends[1].maxConcurrentStreams: applies to protocol: http2 only",
            "gw.yaml: listeners.management.h2c: only the traffic listener offers cleartext HTTP/2 (h2c)")
        .anyMatch(p -> p.startsWith("gw.yaml: backends[0].protocol"))
        .anyMatch(p -> p.startsWith("gw.yaml: apis[0].websocket"))
        .anyMatch(p -> p.startsWith("gw.yaml: apis[0].retry.grpcStatuses[0]"));
  }
}
