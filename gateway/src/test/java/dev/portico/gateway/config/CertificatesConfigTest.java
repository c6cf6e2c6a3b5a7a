package dev.portico.gateway.config;

import static dev.portico.gateway.config.ConfigValidationTest.load;
import static dev.portico.gateway.config.ConfigValidationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code certificates} section and what refers to it: read and checked at load, errors named.
 */
class CertificatesConfigTest {

  static final String PFX_PASSWORD = "pfx-pass-93e1c0";
  static TestPki.ClientFiles files;
  static Path otherKey;

  @BeforeAll
  static void issue(@TempDir Path dir) throws Exception {
    files =
        TestPki.ClientFiles.write(dir, "Portico Config Test CA", "portico-gateway", PFX_PASSWORD);
    otherKey = files.pki().client("someone-else").writePem(dir, "other")[1];
  }

  @Test
  void pemAndPkcs12CertificatesLoadAndAreReferencedByBackendsAndClusters() {
    String yaml =
        """
      namedValues:
        - { name: pfx-password, env: PFX_PASSWORD }
      certificates:
        - { id: gw-pem, certPath: "%s", keyPath: "%s" }
        - { id: gw-pfx, pfxPath: "%s", password: "{{pfx-password}}" }
      backends:
        - { id: mtls, url: "https://10.1.2.3:8443", credentials: { certificateIds: [ gw-pem ] } }
        - id: orders
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "https://10.1.2.4:19080" ]
            clientCertificateId: gw-pfx
            serverX509Names: [ { name: cluster.example, issuerCertificateThumbprint: "%s" } ]
            importer: { tls: { caPath: "%s" } }
      apis: [ { id: a, path: /a, backend: mtls } ]
      """
            .formatted(files.crt(), files.key(), files.pfx(), files.pki().ca().sha1(), files.ca());
    GatewayConfig c = load(yaml, Map.of("PFX_PASSWORD", PFX_PASSWORD));
    // read again (a reload), the certificates and the importer's TLS compare equal: no spurious
    // change
    assertThat(
            dev.portico.gateway.reload.ConfigChange.between(
                    c,
                    load(yaml, Map.of("PFX_PASSWORD", PFX_PASSWORD)).withGatewayId(c.gatewayId()))
                .isEmpty())
        .isTrue();

    TlsCertificate cert = ((SingleBackendConfig) c.backends().get(0)).credentials().certificate();
    assertThat(cert.id()).isEqualTo("gw-pem");
    assertThat(cert.sha1()).isEqualTo(files.client().sha1());
    assertThat(cert.subject()).isEqualTo("CN=portico-gateway");
    assertThat(cert.toString()).doesNotContain("PRIVATE KEY").contains("gw-pem");
    assertThat(((SingleBackendConfig) c.backends().get(0)).credentials().toString())
        .contains("certificate=gw-pem");

    ImporterConfig.Tls tls = c.fabricImporters().get(0).tls();
    assertThat(tls.clientCertificate()).isNotNull();
    assertThat(tls.caPath()).isEqualTo(files.ca().toString());
    assertThat(tls.serverX509Names())
        .containsExactly(new ImporterConfig.ServerName("cluster.example", files.pki().ca().sha1()));
    assertThat(tls.toString()).doesNotContain(PFX_PASSWORD);
  }

  @Test
  void certificateProblemsNameTheFieldAndTheReasonWithoutThePassword(@TempDir Path dir)
      throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
    List<String> p =
        problems(
            """
      certificates:
        - { id: missing, certPath: "%s/nope.crt", keyPath: "%s" }
        - { id: wrong-password, pfxPath: "%s", password: "not-%s" }
        - { id: mismatch, certPath: "%s", keyPath: "%s" }
        - { id: both, certPath: "%s", keyPath: "%s", pfxPath: "%s" }
        - { id: half, certPath: "%s" }
        - { id: garbage, certPath: "%s", keyPath: "%s" }
        - { id: pem-password, certPath: "%s", keyPath: "%s", password: x }
        - { id: mismatch, pfxPath: "%s", password: "%s" }
      apis: []
      """
                .formatted(
                    dir,
                    files.key(),
                    files.pfx(),
                    PFX_PASSWORD,
                    files.crt(),
                    otherKey,
                    files.crt(),
                    files.key(),
                    files.pfx(),
                    files.crt(),
                    garbage,
                    files.key(),
                    files.crt(),
                    files.key(),
                    files.pfx(),
                    PFX_PASSWORD));
    assertThat(p)
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: certificates[0].certPath: cannot read '" + dir + "/nope.crt'"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: certificates[1].pfxPath: cannot use '"
                        + files.pfx()
                        + "' as a certificate with its key:"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: certificates[2].keyPath: the private key in '"
                        + files.crt()
                        + "' and '"
                        + otherKey
                        + "' does not belong to the certificate CN=portico-gateway"))
        .contains(
            "gw.yaml: certificates[3]: needs either 'certPath' and 'keyPath' (PEM) or 'pfxPath' (PKCS#12), not both")
        .contains("gw.yaml: certificates[4].keyPath: certPath and keyPath go together")
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: certificates[5].certPath: '"
                        + garbage
                        + "' holds no PEM certificate"))
        .contains(
            "gw.yaml: certificates[6].password: applies to a pfxPath (PEM keys are read unencrypted)")
        .contains("gw.yaml: certificates[7].id: duplicate certificate id 'mismatch'");
    assertThat(String.join("\n", p)).doesNotContain(PFX_PASSWORD);
  }

  @Test
  void referencesAndClusterSettingsAreChecked() {
    List<String> p =
        problems(
            """
      certificates:
        - { id: gw, certPath: "%s", keyPath: "%s" }
      backends:
        - { id: unknown-cert, url: "https://10.1.2.3", credentials: { certificateIds: [ nope ] } }
        - { id: two-certs, url: "https://10.1.2.3", credentials: { certificateIds: [ gw, gw ] } }
        - { id: plain-http, url: "http://10.1.2.3", credentials: { certificateIds: [ gw ] } }
        - id: http-cluster
          url: "fabric:/Shop/A"
          serviceFabricCluster: { managementEndpoints: [ "http://sf-a:19080" ], clientCertificateId: gw }
        - id: no-endpoints
          url: "fabric:/Shop/B"
          serviceFabricCluster: { serverCertificateThumbprints: [ "%s" ] }
        - id: unknown-cluster-cert
          url: "fabric:/Shop/C"
          serviceFabricCluster: { managementEndpoints: [ "https://sf-c:19080" ], clientCertificateId: nope }
        - id: two-client-certs
          url: "fabric:/Shop/D"
          serviceFabricCluster:
            managementEndpoints: [ "https://sf-d:19080" ]
            clientCertificateId: gw
            importer: { tls: { certPath: "%s", keyPath: "%s" } }
        - id: pinned-and-trust-all
          url: "fabric:/Shop/E"
          serviceFabricCluster:
            managementEndpoints: [ "https://sf-e:19080" ]
            serverCertificateThumbprints: [ "%s" ]
            importer: { tls: { trustAll: true, caPath: /nowhere/ca.pem } }
        - id: same-cluster-other-identity
          url: "fabric:/Shop/F"
          serviceFabricCluster: { managementEndpoints: [ "https://sf-e:19080" ], serverCertificateThumbprints: [ "%s" ] }
        - id: sha256-ok
          url: "fabric:/Shop/G"
          serviceFabricCluster: { managementEndpoints: [ "https://sf-g:19080" ], serverCertificateThumbprints: [ "%s" ] }
        - id: bad-length
          url: "fabric:/Shop/H"
          serviceFabricCluster: { managementEndpoints: [ "https://sf-h:19080" ], serverCertificateThumbprints: [ "%s" ] }
      apis: []
      """
                .formatted(
                    files.crt(),
                    files.key(),
                    files.client().sha1(),
                    files.crt(),
                    files.key(),
                    files.client().sha1(),
                    files.pki().ca().sha1(),
                    files.client().sha256(),
                    files.client().sha1() + "AB"));
    assertThat(p)
        .contains(
            "gw.yaml: backends[0].credentials.certificateIds[0]: unknown certificate 'nope' (defined: gw)")
        .anyMatch(x -> x.startsWith("gw.yaml: backends[1].credentials.certificateIds:"))
        .contains(
            "gw.yaml: backends[2].credentials.certificateIds: a client certificate is presented over https,"
                + " and the url is http")
        .contains(
            "gw.yaml: backends[3].serviceFabricCluster.clientCertificateId: secures the connection to https"
                + " managementEndpoints, and none of them is https")
        .contains(
            "gw.yaml: backends[4].serviceFabricCluster.serverCertificateThumbprints: secures the connection to https"
                + " managementEndpoints, and there are none")
        .contains(
            "gw.yaml: backends[5].serviceFabricCluster.clientCertificateId: unknown certificate 'nope' (defined: gw)")
        .contains(
            "gw.yaml: backends[6].serviceFabricCluster.importer.tls.certPath: the cluster already has"
                + " clientCertificateId 'gw': give one client certificate")
        .contains(
            "gw.yaml: backends[7].serviceFabricCluster.importer.tls.caPath: cannot read '/nowhere/ca.pem'")
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[7].serviceFabricCluster.importer: tls.trustAll contradicts"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[8].serviceFabricCluster.serverCertificateThumbprints: differs from"
                        + " the same cluster's setting in backends[7]"))
        .noneMatch(x -> x.startsWith("gw.yaml: backends[9]"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[10].serviceFabricCluster.serverCertificateThumbprints[0]:"));
  }
}
