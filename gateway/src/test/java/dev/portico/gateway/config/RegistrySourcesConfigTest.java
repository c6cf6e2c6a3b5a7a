package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.sources.DnsSrvOptions;
import dev.portico.discovery.sources.KubernetesOptions;
import dev.portico.gateway.reload.ConfigChange;
import dev.portico.gateway.support.ConfigTexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code registry.sources}: defaults, in-cluster Kubernetes settings, errors naming file, field and
 * reason.
 */
class RegistrySourcesConfigTest {

  @Test
  void dnsSrvDefaultsAndAnExplicitServer() {
    GatewayConfig c =
        ConfigTexts.load(
            """
      registry:
        sources:
          - { type: dns-srv, service: orders, name: _http._tcp.orders.service.consul. }
          - { type: dns-srv, id: consul-pay, service: payments, name: _http._tcp.payments.service.consul,
              server: "127.0.0.1:8600", scheme: https, minInterval: PT5S, maxInterval: PT1M, timeout: PT1S,
              resolveTargets: false }
      """,
            Map.of());
    DnsSrvOptions system = (DnsSrvOptions) c.registry().sources().get(0);
    assertThat(system.id()).isEqualTo("dns-srv:orders");
    assertThat(system.name()).isEqualTo("_http._tcp.orders.service.consul");
    assertThat(system.serverHost()).isNull();
    assertThat(system.describeServer()).isEqualTo("system resolver");
    assertThat(system.minInterval()).isEqualTo(DnsSrvOptions.DEFAULT_MIN_INTERVAL);
    assertThat(system.resolveTargets()).isTrue();
    DnsSrvOptions consul = (DnsSrvOptions) c.registry().sources().get(1);
    assertThat(consul.describeServer()).isEqualTo("127.0.0.1:8600");
    assertThat(consul.ssl()).isTrue();
    assertThat(consul.maxInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(consul.resolveTargets()).isFalse();
    assertThat(
            ((DnsSrvOptions)
                    ConfigTexts.load(
                            """
      registry: { sources: [ { type: dns-srv, service: a, name: _x._tcp.a, server: "[fd00::53]:5353" } ] }
      """,
                            Map.of())
                        .registry()
                        .sources()
                        .get(0))
                .describeServer())
        .isEqualTo("[fd00::53]:5353");
  }

  @Test
  void kubernetesTakesTheClusterFromTheEnvironment(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t");
    GatewayConfig c =
        ConfigTexts.load(
            """
      registry:
        sources:
          - { type: kubernetes, namespace: shop, name: orders, port: http, tokenFile: "%s", caFile: "%s" }
      """
                .formatted(token, caPem(dir)),
            Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"));
    KubernetesOptions k = (KubernetesOptions) c.registry().sources().get(0);
    assertThat(k.id()).isEqualTo("kubernetes:orders");
    assertThat(k.service()).isEqualTo("orders");
    assertThat(k.apiServer()).isEqualTo("https://10.96.0.1:443");
    assertThat(k.portName()).isEqualTo("http");
    assertThat(k.addressType()).isEqualTo("IPv4");
    assertThat(k.watchTimeout()).isEqualTo(KubernetesOptions.DEFAULT_WATCH_TIMEOUT);
  }

  @Test
  void problemsNameTheFieldAndTheReason(@TempDir Path dir) {
    assertThat(
            ConfigTexts.problems(
                """
      registry:
        instances: [ { service: orders, url: "http://10.0.0.1:80", metadata: { source: consul-orders } } ]
        sources:
          - { type: dns-srv, id: consul-orders, service: orders, name: _http._tcp.orders, server: consul.local }
          - { type: dns-srv, id: consul-orders, service: orders, name: _http._tcp.orders, namespace: shop }
          - { type: dns-srv, service: pay, name: _http._tcp.pay, minInterval: PT1M, maxInterval: PT10S }
          - { type: dns-srv, name: _http._tcp.x }
          - { type: kubernetes, name: orders }
          - { type: kubernetes, name: orders, namespace: shop, apiServer: "ftp://k8s", resolveTargets: true }
          - { type: kubernetes, name: pay, namespace: shop, apiServer: "https://k8s:6443", tokenFile: /nonexistent/token }
          - { type: consul, name: x }
      """,
                Map.of()))
        .containsExactlyInAnyOrder(
            "gw.yaml: registry.instances[0].metadata.source: 'consul-orders' is the id of a registry source, which would remove"
                + " this instance as not its own",
            "gw.yaml: registry.sources[0].server: 'consul.local' is not an IP address with an optional port (10.0.0.2,"
                + " 10.0.0.2:8600, [fd00::2]:53): the DNS client needs its server's address, not a name to resolve",
            "gw.yaml: registry.sources[1].namespace: does not apply to type dns-srv (it is a field of type kubernetes)",
            "gw.yaml: registry.sources[2].maxInterval: PT10S is shorter than minInterval (PT1M)",
            "gw.yaml: registry.sources[3].service: required: the registry service the instances are published under"
                + " (what backends name)",
            "gw.yaml: registry.sources[4].namespace: required outside a cluster (there is no "
                + KubernetesOptions.IN_CLUSTER_NAMESPACE
                + ")",
            "gw.yaml: registry.sources[4].apiServer: required outside a cluster (KUBERNETES_SERVICE_HOST is not set)",
            "gw.yaml: registry.sources[5].resolveTargets: does not apply to type kubernetes (it is a field of type dns-srv)",
            "gw.yaml: registry.sources[5].apiServer: 'ftp://k8s' is not an http(s)://host[:port][/path] URL",
            "gw.yaml: registry.sources[6].tokenFile: cannot read '/nonexistent/token'",
            "gw.yaml: registry.sources[7].type: does not have a value in the enumeration [\"dns-srv\", \"kubernetes\"]");
  }

  @Test
  void aSourceWithoutTypeIsAProblemNotACrash() {
    // found by binding mutated configurations: Map.of's containsKey(null) threw a
    // NullPointerException out of the loader
    assertThat(
            ConfigTexts.problems(
                """
      registry:
        sources:
          - { name: _http._tcp.x, service: x }
      """,
                Map.of()))
        .containsExactly("gw.yaml: registry.sources[0].type: required field is missing");
  }

  @Test
  void sourcesAreProcessWideSoAReloadThatChangesThemIsRefused() {
    String before =
        """
      registry: { sources: [ { type: dns-srv, service: orders, name: _http._tcp.orders.test, server: "127.0.0.1:53" } ] }
      """;
    GatewayConfig running = ConfigTexts.load(before, Map.of());
    assertThat(ConfigChange.between(running, ConfigTexts.load(before, Map.of())).isEmpty())
        .isTrue();
    GatewayConfig next =
        ConfigTexts.load(before.replace("127.0.0.1:53", "127.0.0.1:8600"), Map.of());
    assertThat(ConfigChange.between(running, next).restartRequired()).containsExactly("registry");
  }

  private static Path caPem(Path dir) throws Exception {
    io.vertx.core.net.SelfSignedCertificate cert =
        io.vertx.core.net.SelfSignedCertificate.create("localhost");
    return Files.copy(Path.of(cert.certificatePath()), dir.resolve("ca.crt"));
  }
}
