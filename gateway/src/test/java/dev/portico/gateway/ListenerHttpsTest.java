package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.fabric.testing.TestPki;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Http2Tls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Listeners that speak https, optionally asking clients for a certificate, over real TLS. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerHttpsTest {

  static TestPki.ClientFiles files;
  static Path serverCrt;
  static Path serverKey;

  @BeforeAll
  static void issue(@TempDir Path dir) throws Exception {
    files = TestPki.ClientFiles.write(dir, "Portico Listener CA", "api-consumer", "unused");
    Path[] pem = files.pki().server("gateway.portico.test").writePem(dir, "server");
    serverCrt = pem[0];
    serverKey = pem[1];
  }

  WebClient https(Vertx vertx, boolean withClientCertificate) {
    WebClientOptions o =
        new WebClientOptions()
            .setSsl(true)
            .setTrustOptions(files.pki().trustOptions())
            .setVerifyHost(true);
    if (withClientCertificate) {
      o.setKeyCertOptions(files.client().keyCertOptions());
    }
    return WebClient.create(vertx, o);
  }

  @Test
  void everyListenerCanSpeakHttpsAndTheBackendLearnsTheProtocol(Vertx vertx) {
    int echo = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      certificates: [ { id: gw-server, certPath: "%s", keyPath: "%s" } ]
      listeners:
        traffic: { host: 127.0.0.1, port: 0, https: { certificateId: gw-server } }
        management: { host: 127.0.0.1, port: 0, https: { certificateId: gw-server } }
        serviceFabricReverseProxy: { enabled: true, host: 127.0.0.1, port: 0, https: { certificateId: gw-server } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(serverCrt, serverKey, echo));
    WebClient web = https(vertx, false);

    HttpResponse<Buffer> r = web.get(gw.trafficPort(), "localhost", "/a/x").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject headers = r.bodyAsJsonObject().getJsonObject("headers");
    assertThat(headers.getString("x-forwarded-proto")).isEqualTo("https");
    assertThat(headers.getString("forwarded")).endsWith("proto=https");

    assertThat(
            web.get(gw.managementPort(), "localhost", "/health/ready").send().await().statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> rp =
        web.get(gw.reverseProxyPort(), "localhost", "/Nowhere/Svc/x").send().await();
    assertThat(rp.statusCode()).isEqualTo(404);
    assertThat(rp.bodyAsJsonObject().getString("reason")).isEqualTo("PartitionResolutionFailure");

    // plain HTTP to the https port gets no answer it could mistake for one
    assertThatThrownBy(
            () -> WebClient.create(vertx).get(gw.trafficPort(), "127.0.0.1", "/a/x").send().await())
        .isNotNull();
  }

  @Test
  void http2ClientsAreServedOverAlpnWithBodiesAndErrors(Vertx vertx) {
    int echo = Backends.echo(vertx, "b").actualPort();
    int closed = Backends.closedPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      certificates: [ { id: gw-server, certPath: "%s", keyPath: "%s" } ]
      listeners:
        traffic: { host: 127.0.0.1, port: 0, https: { certificateId: gw-server } }
        management: { host: 127.0.0.1, port: 0, https: { certificateId: gw-server, http2: false } }
      backends:
        - { id: b, url: "http://127.0.0.1:%d" }
        - { id: refused, url: "http://127.0.0.1:%d" }
      apis:
        - { id: a, path: /a, backend: b }
        - { id: refused, path: /refused, backend: refused }
      """
                .formatted(serverCrt, serverKey, echo, closed));
    WebClient h2 =
        WebClient.create(
            vertx, new WebClientOptions(Http2Tls.clientOptions(files.pki().trustOptions())));

    HttpResponse<Buffer> get = h2.get(gw.trafficPort(), "localhost", "/a/x?q=1").send().await();
    assertThat(get.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
    assertThat(get.statusCode()).isEqualTo(200);
    JsonObject seen = get.bodyAsJsonObject();
    assertThat(seen.getString("uri")).isEqualTo("/x?q=1");
    assertThat(seen.getJsonObject("headers").getString("x-forwarded-host"))
        .isEqualTo("localhost:" + gw.trafficPort());
    assertThat(seen.getJsonObject("headers").containsKey("te")).isFalse();

    Buffer body = Buffer.buffer(new byte[1024 * 1024]);
    HttpResponse<Buffer> post =
        h2.post(gw.trafficPort(), "localhost", "/a/upload").sendBuffer(body).await();
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.bodyAsJsonObject().getInteger("bodyBytes")).isEqualTo(1024 * 1024);

    // errors, also with a request body the gateway never reads (no Connection header on HTTP/2)
    HttpResponse<Buffer> notFound =
        h2.get(gw.trafficPort(), "localhost", "/nowhere").send().await();
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.bodyAsJsonObject().getString("reason")).isEqualTo("OperationNotFound");
    HttpResponse<Buffer> refused =
        h2.post(gw.trafficPort(), "localhost", "/refused/x").sendBuffer(body).await();
    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.bodyAsJsonObject().getString("reason"))
        .isEqualTo("BackendConnectionFailure");
    HttpResponse<Buffer> unmatchedPost =
        h2.post(gw.trafficPort(), "localhost", "/nowhere").sendBuffer(body).await();
    assertThat(unmatchedPost.statusCode()).isEqualTo(404);
    // the connection still serves
    assertThat(h2.get(gw.trafficPort(), "localhost", "/a/y").send().await().statusCode())
        .isEqualTo(200);

    // http2: false: the same client is answered in HTTP/1.1
    HttpResponse<Buffer> h1 =
        h2.get(gw.managementPort(), "localhost", "/health/live").send().await();
    assertThat(h1.statusCode()).isEqualTo(200);
    assertThat(h1.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_1_1);
  }

  @Test
  void aListenerRequiringClientCertificatesRefusesClientsWithoutOne(Vertx vertx) {
    int echo = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      certificates: [ { id: gw-server, certPath: "%s", keyPath: "%s" } ]
      listeners:
        traffic: { host: 127.0.0.1, port: 0, https: { certificateId: gw-server, clientAuth: required, clientCaPath: "%s" } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(serverCrt, serverKey, files.ca(), echo));

    assertThat(
            https(vertx, true)
                .get(gw.trafficPort(), "localhost", "/a/x")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThatThrownBy(
            () -> https(vertx, false).get(gw.trafficPort(), "localhost", "/a/x").send().await())
        .isNotNull();
  }

  @Test
  void httpsSettingsAreChecked(@TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "nothing here");
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                GatewayHarness.config(
                    """
      certificates: [ { id: gw-server, certPath: "%s", keyPath: "%s" } ]
      listeners:
        traffic: { https: { certificateId: nope } }
        management: { https: { certificateId: gw-server, clientAuth: required } }
        serviceFabricReverseProxy: { enabled: true, https: { certificateId: gw-server, clientCaPath: "%s" } }
      apis: []
      """
                        .formatted(serverCrt, serverKey, files.ca()),
                    java.util.Map.of()));
    assertThat(e.getMessage())
        .contains(
            "test.yaml: listeners.traffic.https.certificateId: unknown certificate 'nope' (defined: gw-server)")
        .contains(
            "test.yaml: listeners.management.https.clientCaPath: clientAuth required needs the CA certificate(s)"
                + " that issue the clients' certificates (PEM)")
        .contains(
            "test.yaml: listeners.serviceFabricReverseProxy.https.clientCaPath: has no effect without clientAuth:"
                + " request or required");
    ConfigException g =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                GatewayHarness.config(
                    """
      certificates: [ { id: gw-server, certPath: "%s", keyPath: "%s" } ]
      listeners:
        traffic: { https: { certificateId: gw-server, clientAuth: request, clientCaPath: "%s" } }
        management: { https: { certificateId: gw-server, clientAuth: sometimes } }
      apis: []
      """
                        .formatted(serverCrt, serverKey, garbage),
                    java.util.Map.of()));
    assertThat(g.getMessage())
        .contains(
            "test.yaml: listeners.traffic.https.clientCaPath: '"
                + garbage
                + "' holds no PEM certificate")
        .contains("listeners.management.https.clientAuth");
  }
}
