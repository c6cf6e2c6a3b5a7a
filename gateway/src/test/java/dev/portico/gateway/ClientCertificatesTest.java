package dev.portico.gateway;

import static dev.portico.gateway.support.FabricRecords.int64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.testing.FakeCluster;
import dev.portico.fabric.testing.TestPki;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Switchable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates over real TLS: an https backend that requires one, and a Service Fabric
 * cluster whose management endpoint requires one and is recognised by APIM's server pins.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCertificatesTest {

  static final String PFX_PASSWORD = "pfx-pass-51d0e7";
  static TestPki.ClientFiles files;

  @BeforeAll
  static void issue(@TempDir Path dir) throws Exception {
    files = TestPki.ClientFiles.write(dir, "Portico E2E CA", "portico-gateway", PFX_PASSWORD);
  }

  /**
   * An https backend that requires a client certificate from the test CA and answers with its
   * subject.
   */
  static HttpServer mtlsBackend(Vertx vertx) {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(files.pki().server("backend.portico.test").keyCertOptions())
                .setTrustOptions(files.pki().trustOptions())
                .setClientAuth(ClientAuth.REQUIRED))
        .requestHandler(
            req -> {
              String subject;
              try {
                subject =
                    ((X509Certificate) req.connection().sslSession().getPeerCertificates()[0])
                        .getSubjectX500Principal()
                        .getName();
              } catch (SSLPeerUnverifiedException e) {
                subject = "none";
              }
              req.response().end(subject);
            })
        .listen(0, "127.0.0.1")
        .await();
  }

  @Test
  void aBackendWithACertificateIdPresentsItAndItsPoolIsNotSharedWithOneWithout(Vertx vertx) {
    int port = mtlsBackend(vertx).actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      certificates:
        - { id: gw, certPath: "%s", keyPath: "%s" }
      backends:
        - id: with-cert
          url: "https://localhost:%d"
          credentials: { certificateIds: [ gw ] }
          tls: { validateCertificateChain: false }
        - { id: without-cert, url: "https://localhost:%d", tls: { validateCertificateChain: false } }
      apis:
        - { id: with, path: /with, backend: with-cert }
        - { id: without, path: /without, backend: without-cert }
      """
                .formatted(files.crt(), files.key(), port, port));
    WebClient web = WebClient.create(vertx);

    HttpResponse<Buffer> with = web.get(gw.trafficPort(), "127.0.0.1", "/with/x").send().await();
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(with.bodyAsString()).isEqualTo("CN=portico-gateway");
    // same host and port, no certificate: a connection of its own, refused by the backend
    HttpResponse<Buffer> without =
        web.get(gw.trafficPort(), "127.0.0.1", "/without/x").send().await();
    assertThat(without.statusCode()).isEqualTo(502);
    assertThat(without.bodyAsJsonObject().getString("reason"))
        .isEqualTo("BackendConnectionFailure");
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/with/y").send().await().bodyAsString())
        .isEqualTo("CN=portico-gateway");
  }

  @Test
  void aClusterWithClientCertificateIdAndAThumbprintPinIsImportedAndRoutedTo(Vertx vertx) {
    TestPki.Issued clusterCert = files.pki().serverWithoutLoopbackNames("cluster.portico.test");
    FakeCluster cluster = new FakeCluster();
    Switchable replica = Switchable.echo(vertx, "p0-primary");
    cluster.change(
        () ->
            cluster.apps.add(
                new FakeCluster.App(
                    "fabric:/Shop",
                    new FakeCluster.Service(
                        "fabric:/Shop/Orders",
                        "Stateful",
                        new FakeCluster.Partition(
                            int64(0, 99, 1, 0).get(0),
                            "131000000000000001",
                            new FakeCluster.Endpoint(
                                "StatefulPrimary",
                                "{\"Endpoints\":{\"\":\""
                                    + replica.url().replace("/", "\\/")
                                    + "\"}}"))))));
    int port =
        cluster
            .listen(
                vertx,
                0,
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(clusterCert.keyCertOptions())
                    .setTrustOptions(files.pki().trustOptions())
                    .setClientAuth(ClientAuth.REQUIRED))
            .await();
    String yaml =
        """
      namedValues: [ { name: pfx-password, env: PFX_PASSWORD } ]
      certificates: [ { id: cluster-client, pfxPath: "%s", password: "{{pfx-password}}" } ]
      backends:
        - id: orders
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "https://127.0.0.1:%d" ]
            clientCertificateId: cluster-client
            serverCertificateThumbprints: [ "%s" ]
            importer: { interval: PT0.2S, requestTimeout: PT2S }
      apis:
        - { id: orders, path: /orders, backend: orders, set-backend-service: { sf-partition-key: "segment:0" } }
      """;
    Map<String, String> env = Map.of("PFX_PASSWORD", PFX_PASSWORD);
    WebClient web = WebClient.create(vertx);

    GatewayVerticle gw =
        GatewayHarness.start(vertx, yaml.formatted(files.pfx(), port, clusterCert.sha1()), env);
    await().atMost(10, TimeUnit.SECONDS).until(() -> ready(web, gw).statusCode() == 200);
    HttpResponse<Buffer> r = web.get(gw.trafficPort(), "127.0.0.1", "/orders/42").send().await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("name")).isEqualTo("p0-primary");

    // pinned to another certificate: the import fails and readiness says why
    GatewayVerticle wrong =
        GatewayHarness.start(
            vertx, yaml.formatted(files.pfx(), port, files.pki().ca().sha1()), env);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                ready(web, wrong)
                    .bodyAsString()
                    .contains("matches none of serverCertificateThumbprints / serverX509Names"));
    assertThat(ready(web, wrong).statusCode()).isEqualTo(503);
    cluster.close().await();
  }

  static HttpResponse<Buffer> ready(WebClient web, GatewayVerticle gw) {
    return web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await();
  }
}
