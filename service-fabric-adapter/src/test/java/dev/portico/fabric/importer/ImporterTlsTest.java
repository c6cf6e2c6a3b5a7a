package dev.portico.fabric.importer;

import static dev.portico.fabric.importer.FabricImporterTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.testing.FakeCluster;
import dev.portico.fabric.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer against a secured cluster over real TLS: the management endpoint requires a client
 * certificate issued by the cluster's CA, and presents a certificate the JVM does not trust.
 */
@ExtendWith(VertxExtension.class)
class ImporterTlsTest {

  static final String CN = "cluster.portico.test";
  static TestPki.ClientFiles files;

  private Vertx vertx;
  private Registry registry;
  private FakeCluster cluster;
  private FabricImporter importer;

  @BeforeAll
  static void issue(@TempDir Path dir) throws Exception {
    files = TestPki.ClientFiles.write(dir, "Portico Test Cluster CA", "portico-gateway", "s3cret!");
  }

  /**
   * A cluster with one stateless service on the given server certificate, client certificate
   * required.
   */
  private String serve(Vertx vertx, TestPki.Issued serverCert, String host) {
    this.vertx = vertx;
    registry = Registry.create(vertx, RegistryOptions.local());
    cluster = new FakeCluster();
    cluster.apps.add(
        new FakeCluster.App(
            "fabric:/Shop",
            new FakeCluster.Service(
                "fabric:/Shop/Web",
                "Stateless",
                new FakeCluster.Partition(
                    new PartitionInfo.Singleton("0000000a-1111-4000-8000-000000000136"),
                    "7",
                    new FakeCluster.Endpoint("Stateless", "http://10.0.9.1:8080/")))));
    int port =
        await(
            cluster.listen(
                vertx,
                0,
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(serverCert.keyCertOptions())
                    .setTrustOptions(files.pki().trustOptions())
                    .setClientAuth(ClientAuth.REQUIRED)));
    return "https://" + host + ":" + port;
  }

  private CycleSummary importWith(String endpoint, ImporterConfig.Tls tls) {
    importer =
        FabricImporter.create(
            vertx,
            registry,
            ImporterConfig.builder(endpoint)
                .name("sf-tls")
                .interval(Duration.ofHours(1))
                .requestTimeout(Duration.ofSeconds(5))
                .staleAfter(Duration.ofHours(2), 2)
                .tls(tls)
                .build());
    return await(importer.runOnce());
  }

  private static ImporterConfig.Tls pinned(
      List<String> thumbprints, List<ImporterConfig.ServerName> names, String ca) {
    return new ImporterConfig.Tls(
        ImporterConfig.Tls.pem(files.crt().toString(), files.key().toString(), null, false, true)
            .clientCertificate(),
        ca,
        false,
        true,
        thumbprints,
        names);
  }

  @AfterEach
  void tearDown() {
    if (importer != null) {
      await(importer.stop());
    }
    await(cluster.close());
    registry.close();
  }

  @Test
  void aPemClientCertificateAndTheClusterCaImport(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().server(CN), "localhost");
    CycleSummary s =
        importWith(
            endpoint,
            ImporterConfig.Tls.pem(
                files.crt().toString(),
                files.key().toString(),
                files.ca().toString(),
                false,
                true));
    assertThat(s.outcome()).as(s.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(s.published()).isEqualTo(1);
  }

  @Test
  void aPkcs12ClientCertificateImports(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().server(CN), "localhost");
    CycleSummary s =
        importWith(
            endpoint,
            new ImporterConfig.Tls(
                new PfxOptions().setPath(files.pfx().toString()).setPassword("s3cret!"),
                files.ca().toString(),
                false,
                true,
                List.of(),
                List.of()));
    assertThat(s.outcome()).as(s.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
  }

  @Test
  void withoutAClientCertificateTheClusterRefusesAndTheCycleFails(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().server(CN), "localhost");
    CycleSummary s =
        importWith(
            endpoint, ImporterConfig.Tls.pem(null, null, files.ca().toString(), false, true));
    assertThat(s.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(s.error()).contains("unreachable");
  }

  @Test
  void withoutPinsTheJvmTrustRejectsThePrivateCa(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().server(CN), "localhost");
    CycleSummary s = importWith(endpoint, pinned(List.of(), List.of(), null));
    assertThat(s.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
  }

  @Test
  void aServerThumbprintPinNeedsNeitherTheCaNorAMatchingHostName(Vertx vertx) {
    TestPki.Issued server = files.pki().serverWithoutLoopbackNames(CN);
    String endpoint = serve(vertx, server, "127.0.0.1");
    CycleSummary sha1 =
        importWith(endpoint, pinned(List.of(server.sha1().toLowerCase()), List.of(), null));
    assertThat(sha1.outcome()).as(sha1.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    await(importer.stop());
    // the colon-separated form certificate tools print, and SHA-256
    String colons = String.join(":", server.sha256().split("(?<=\\G..)"));
    CycleSummary sha256 = importWith(endpoint, pinned(List.of(colons), List.of(), null));
    assertThat(sha256.outcome()).as(sha256.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
  }

  @Test
  void aWrongThumbprintFailsNamingTheCertificateItSaw(Vertx vertx) {
    TestPki.Issued server = files.pki().server(CN);
    String endpoint = serve(vertx, server, "localhost");
    // the CA's thumbprint is not the server's: pins are on the leaf
    CycleSummary s =
        importWith(
            endpoint, pinned(List.of(files.pki().ca().sha1()), List.of(), files.ca().toString()));
    assertThat(s.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(s.error())
        .contains("matches none of serverCertificateThumbprints / serverX509Names")
        .contains(server.sha1());
  }

  @Test
  void aServerNameWithItsIssuerThumbprintIsAcceptedAndAnotherIssuerIsNot(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().serverWithoutLoopbackNames(CN), "127.0.0.1");
    CycleSummary ok =
        importWith(
            endpoint,
            pinned(
                List.of(),
                List.of(new ImporterConfig.ServerName(CN.toUpperCase(), files.pki().ca().sha1())),
                null));
    assertThat(ok.outcome()).as(ok.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    await(importer.stop());

    String otherCa = TestPki.create("Someone Else's CA").ca().sha1();
    CycleSummary wrongIssuer =
        importWith(
            endpoint, pinned(List.of(), List.of(new ImporterConfig.ServerName(CN, otherCa)), null));
    assertThat(wrongIssuer.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(wrongIssuer.error()).contains("no issuer with thumbprint " + otherCa);
    await(importer.stop());

    CycleSummary wrongName =
        importWith(
            endpoint,
            pinned(
                List.of(),
                List.of(
                    new ImporterConfig.ServerName("other.portico.test", files.pki().ca().sha1())),
                null));
    assertThat(wrongName.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
  }

  @Test
  void aServerNameWithoutIssuerThumbprintNeedsATrustedChain(Vertx vertx) {
    String endpoint = serve(vertx, files.pki().serverWithoutLoopbackNames(CN), "127.0.0.1");
    CycleSummary trusted =
        importWith(
            endpoint,
            pinned(
                List.of(),
                List.of(new ImporterConfig.ServerName(CN, null)),
                files.ca().toString()));
    assertThat(trusted.outcome()).as(trusted.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    await(importer.stop());

    CycleSummary untrusted =
        importWith(
            endpoint, pinned(List.of(), List.of(new ImporterConfig.ServerName(CN, null)), null));
    assertThat(untrusted.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(untrusted.error()).contains("its chain is not trusted");
  }

  @Test
  void anExpiredPinnedCertificateIsRefused(Vertx vertx) {
    TestPki.Issued expired = files.pki().expiredServer(CN);
    String endpoint = serve(vertx, expired, "localhost");
    CycleSummary s = importWith(endpoint, pinned(List.of(expired.sha1()), List.of(), null));
    assertThat(s.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(s.error()).containsIgnoringCase("NotAfter");
  }
}
