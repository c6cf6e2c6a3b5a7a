package dev.portico.discovery.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.ServiceInstance;
import dev.portico.discovery.testing.Dnsmasq;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS SRV source against a real DNS server (dnsmasq on a loopback port) whose records change.
 */
@ExtendWith(VertxExtension.class)
class DnsSrvSourceTest {

  private static final String NAME = "_http._tcp.orders.test";
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void publishesUpdatesAndUnpublishesAsTheRecordsChange(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Dnsmasq dns =
        Dnsmasq.start(
            dir,
            List.of(
                "--local=/test/",
                "--local-ttl=1",
                "--srv-host=" + NAME + ",a.orders.test,8081,10,60",
                "--srv-host=" + NAME + ",b.orders.test,8082,20,5",
                "--host-record=a.orders.test,127.0.0.2",
                "--host-record=b.orders.test,127.0.0.3"));
    closing.add(dns);
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    // a longest interval of 10 minutes: every change below is seen within the 1 s TTL, or not at
    // all
    RegistrySource source =
        start(vertx, registry, options(dns, Duration.ofMillis(200), Duration.ofMinutes(10)));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "127.0.0.2:8081 UP weight=60 priority=10",
                        "127.0.0.3:8082 UP weight=5 priority=20"));
    ServiceInstance a = byHost(registry, "127.0.0.2");
    assertThat(a.service()).isEqualTo("orders");
    assertThat(a.metadata())
        .containsEntry("source", "consul-orders")
        .containsEntry("source.type", "dns-srv")
        .containsEntry("dns.name", NAME)
        .containsEntry("dns.target", "a.orders.test");
    SourceStatus status = source.status();
    assertThat(status.synced()).isTrue();
    assertThat(status.instances()).isEqualTo(2);
    assertThat(status.details())
        .containsEntry("ttlSeconds", 1L)
        .containsEntry("nextQueryInMillis", 1000L);

    // b leaves, c arrives, a's weight changes: a keeps its registration id (updated in place)
    dns.restart(
        List.of(
            "--local=/test/",
            "--local-ttl=1",
            "--srv-host=" + NAME + ",a.orders.test,8081,10,30",
            "--srv-host=" + NAME + ",c.orders.test,8083,10,30",
            "--host-record=a.orders.test,127.0.0.2",
            "--host-record=c.orders.test,127.0.0.4"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "127.0.0.2:8081 UP weight=30 priority=10",
                        "127.0.0.4:8083 UP weight=30 priority=10"));
    assertThat(byHost(registry, "127.0.0.2").id()).isEqualTo(a.id());

    // the server goes away: queries time out, the instances stay
    dns.stop();
    await().atMost(Duration.ofSeconds(30)).until(() -> source.status().lastError() != null);
    assertThat(endpoints(registry)).hasSize(2);

    // the server answers, but with an error (REFUSED: the zone goes to an upstream server, and
    // there is none): the
    // instances stay
    dns.launch(List.of("--local-ttl=1", "--server=/orders.test/#"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "REFUSED".equals(source.status().lastError()));
    assertThat(endpoints(registry)).hasSize(2);

    // NXDOMAIN: the service is gone, so are its instances
    dns.restart(List.of("--local=/test/", "--local-ttl=1"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(endpoints(registry)).isEmpty());
    assertThat(source.status().details()).containsEntry("lastAnswer", "NXDOMAIN");
    assertThat(source.status().lastError()).isNull();

    // back, then an empty answer (the name exists with no SRV record): removed again
    dns.restart(
        List.of(
            "--local=/test/",
            "--local-ttl=1",
            "--srv-host=" + NAME + ",a.orders.test,8081,0,1",
            "--host-record=a.orders.test,127.0.0.2"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly("127.0.0.2:8081 UP weight=1 priority=0"));
    dns.restart(
        List.of("--local=/test/", "--local-ttl=1", "--txt-record=" + NAME + ",not-a-service"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(endpoints(registry)).isEmpty());
    assertThat(source.status().details()).containsEntry("lastAnswer", "empty answer");

    source.stop(true).await();
  }

  @Test
  void largeAnswersComeOverTcpAndWideWeightsAndPrioritiesAreScaled(Vertx vertx, @TempDir Path dir)
      throws Exception {
    List<String> records = new ArrayList<>(List.of("--local=/test/", "--local-ttl=30"));
    for (int i = 0; i < 40; i++) {
      // 40 records do not fit a 512-byte UDP answer: the resolver must retry over TCP
      int priority = i < 20 ? 2000 : 60000;
      int weight = i == 0 ? 65535 : i == 1 ? 0 : 655;
      records.add(
          "--srv-host="
              + NAME
              + ",backend-"
              + i
              + ".orders.test,"
              + (9000 + i)
              + ","
              + priority
              + ","
              + weight);
      records.add("--host-record=backend-" + i + ".orders.test,127.0.1." + (i + 1));
    }
    Dnsmasq dns = Dnsmasq.start(dir, records);
    closing.add(dns);
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    RegistrySource source =
        start(vertx, registry, options(dns, Duration.ofMillis(200), Duration.ofSeconds(5)));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(endpoints(registry)).hasSize(40));
    // weights over 1000 scale proportionally (0 stays 0, a small non-zero one stays at least 1);
    // priorities are ranked
    assertThat(endpoints(registry))
        .contains(
            "127.0.1.1:9000 UP weight=1000 priority=0",
            "127.0.1.2:9001 UP weight=0 priority=0",
            "127.0.1.3:9002 UP weight=10 priority=0",
            "127.0.1.40:9039 UP weight=10 priority=1");
    assertThat(byHost(registry, "127.0.1.1").metadata())
        .containsEntry("dns.weight", "65535")
        .containsEntry("dns.priority", "2000");
    // a 30 s TTL within the bounds: the next query follows the longest bound
    assertThat(source.status().details()).containsEntry("nextQueryInMillis", 5000L);
    source.stop(true).await();
    assertThat(registry.instances().await()).isEmpty();
  }

  @Test
  void targetsCanBeLeftToTheGatewaysResolver(Vertx vertx, @TempDir Path dir) throws Exception {
    Dnsmasq dns =
        Dnsmasq.start(
            dir, List.of("--local=/test/", "--srv-host=" + NAME + ",web-0.orders.test.,8080,0,0"));
    closing.add(dns);
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    DnsSrvOptions o = options(dns, Duration.ofMillis(200), Duration.ofSeconds(5));
    RegistrySource source =
        start(
            vertx,
            registry,
            new DnsSrvOptions(
                o.id(),
                o.service(),
                o.name(),
                o.serverHost(),
                o.serverPort(),
                true,
                o.minInterval(),
                o.maxInterval(),
                o.timeout(),
                false));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(registry.instances().await())
                    .singleElement()
                    .satisfies(
                        i -> {
                          assertThat(i.host()).isEqualTo("web-0.orders.test");
                          assertThat(i.ssl()).isTrue();
                          assertThat(i.baseUrl()).isEqualTo("https://web-0.orders.test:8080");
                        }));
    source.stop(false).await();
    // stopped without unpublishing: a shared registry keeps them for the rest of the fleet
    assertThat(registry.instances().await()).hasSize(1);
  }

  private RegistrySource start(Vertx vertx, Registry registry, DnsSrvOptions options) {
    RegistrySource source = RegistrySource.create(vertx, registry, options);
    source.start().await();
    closing.add(0, () -> source.stop(false).await());
    return source;
  }

  private static DnsSrvOptions options(Dnsmasq dns, Duration min, Duration max) {
    return new DnsSrvOptions(
        "consul-orders",
        "orders",
        NAME,
        "127.0.0.1",
        dns.port(),
        false,
        min,
        max,
        Duration.ofMillis(500),
        true);
  }

  private static List<String> endpoints(Registry registry) {
    return registry.instances().await().stream()
        .sorted(Comparator.comparing(ServiceInstance::endpointKey))
        .map(
            i ->
                i.endpointKey()
                    + " "
                    + i.status()
                    + " weight="
                    + i.metadata("weight")
                    + " priority="
                    + i.metadata("priority"))
        .collect(Collectors.toList());
  }

  private static ServiceInstance byHost(Registry registry, String host) {
    return registry.instances().await().stream()
        .filter(i -> i.host().equals(host))
        .findFirst()
        .orElseThrow();
  }
}
