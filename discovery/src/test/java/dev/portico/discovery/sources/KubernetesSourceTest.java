package dev.portico.discovery.sources;

import static dev.portico.discovery.testing.EndpointSliceJson.endpoint;
import static dev.portico.discovery.testing.EndpointSliceJson.port;
import static dev.portico.discovery.testing.EndpointSliceJson.ready;
import static dev.portico.discovery.testing.EndpointSliceJson.slice;
import static dev.portico.discovery.testing.EndpointSliceJson.terminating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.ServiceInstance;
import dev.portico.discovery.testing.FakeKubeApi;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes source against a stand-in API server speaking the LIST/WATCH protocol over HTTPS.
 */
@ExtendWith(VertxExtension.class)
class KubernetesSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void listsWatchesAndHonoursEndpointConditions(Vertx vertx, @TempDir Path dir) throws Exception {
    FakeKubeApi api = FakeKubeApi.start(vertx, "shop", dir);
    closing.add(api);
    api.pageSize(1); // the LIST comes in pages
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(
                ready("10.1.0.11", "orders-5d9c7-abcde", "eu-west-1a"),
                terminating("10.1.0.12", "orders-5d9c7-fghij", "eu-west-1b"),
                endpoint("10.1.0.13", false, false, false, "orders-5d9c7-klmno", "eu-west-1a"),
                endpoint("10.1.0.14", null, null, null, "orders-5d9c7-pqrst", null)),
            List.of(port("http", 8080), port("metrics", 9102))));
    // the other IP family of a dual-stack Service, and another Service's slice: neither is read
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-v6",
            "IPv6",
            List.of(ready("fd00::11", "orders-5d9c7-abcde", "eu-west-1a")),
            List.of(port("http", 8080))));
    api.apply(
        slice(
            "shop",
            "payments",
            "payments-x1",
            "IPv4",
            List.of(ready("10.1.9.9", "payments-1", "eu-west-1a")),
            List.of(port("http", 8080))));
    Path token = dir.resolve("token");
    Files.writeString(token, api.token() + "\n");
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    RegistrySource source = start(vertx, registry, options(api, token, "http"));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "10.1.0.11:8080 UP",
                        "10.1.0.12:8080 OUT_OF_SERVICE",
                        "10.1.0.13:8080 DOWN",
                        "10.1.0.14:8080 UP"));
    ServiceInstance ready = byHost(registry, "10.1.0.11");
    assertThat(ready.service()).isEqualTo("orders");
    assertThat(ready.metadata())
        .containsEntry("source", "k8s-orders")
        .containsEntry("source.type", "kubernetes")
        .containsEntry("zone", "eu-west-1a")
        .containsEntry("k8s.pod", "orders-5d9c7-abcde")
        .containsEntry("k8s.namespace", "shop")
        .containsEntry("k8s.service", "orders")
        .containsEntry("k8s.ready", "true");
    assertThat(byHost(registry, "10.1.0.12").metadata())
        .containsEntry("k8s.terminating", "true")
        .containsEntry("k8s.serving", "true")
        .containsEntry("k8s.ready", "false");
    // the watch starts after the list has been published: wait for it rather than race it
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(api.requests)
                    .startsWith("LIST continue=-")
                    .anyMatch(r -> r.startsWith("LIST continue=") && !r.endsWith("-"))
                    .anyMatch(r -> r.startsWith("WATCH rv=")));

    // the terminating pod is gone, the unready one became ready, a new slice brings one more
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(
                ready("10.1.0.11", "orders-5d9c7-abcde", "eu-west-1a"),
                ready("10.1.0.13", "orders-5d9c7-klmno", "eu-west-1a"),
                endpoint("10.1.0.14", null, null, null, "orders-5d9c7-pqrst", null)),
            List.of(port("http", 8080), port("metrics", 9102))));
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-m4q8z",
            "IPv4",
            List.of(ready("10.1.0.21", "orders-5d9c7-uvwxy", "eu-west-1c")),
            List.of(port("http", 8080))));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "10.1.0.11:8080 UP",
                        "10.1.0.13:8080 UP",
                        "10.1.0.14:8080 UP",
                        "10.1.0.21:8080 UP"));
    assertThat(byHost(registry, "10.1.0.11").id()).isEqualTo(ready.id());

    api.delete("orders-m4q8z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "10.1.0.11:8080 UP", "10.1.0.13:8080 UP", "10.1.0.14:8080 UP"));

    // a bookmark moves the resourceVersion; a watch that ends resumes from it, without a new LIST
    long bookmark = api.bookmark();
    await()
        .atMost(WAIT)
        .until(
            () ->
                String.valueOf(bookmark).equals(source.status().details().get("resourceVersion")));
    long lists = listCount(api);
    api.endWatches();
    await().atMost(WAIT).until(() -> api.requests.contains("WATCH rv=" + bookmark));
    assertThat(listCount(api)).isEqualTo(lists);

    // the token is rotated: the next request reads the new one
    Files.writeString(token, "token-2\n");
    api.rotateToken("token-2");
    api.endWatches();
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-m4q8z",
            "IPv4",
            List.of(ready("10.1.0.22", "orders-5d9c7-zzzzz", "eu-west-1c")),
            List.of(port("http", 8080))));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(endpoints(registry)).contains("10.1.0.22:8080 UP"));

    // 410 Gone as an ERROR event: list again, then watch from the new list's version; nothing is
    // lost meanwhile
    api.expire();
    await().atMost(WAIT).until(() -> listCount(api) > lists);
    api.delete("orders-m4q8z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(endpoints(registry))
                    .containsExactly(
                        "10.1.0.11:8080 UP", "10.1.0.13:8080 UP", "10.1.0.14:8080 UP"));

    // 410 Gone as an HTTP status, met when a watch resumes from a compacted version
    api.goneAsHttpStatus(true);
    long before = listCount(api);
    api.compact(false);
    api.endWatches();
    await().atMost(WAIT).until(() -> listCount(api) > before);
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(ready("10.1.0.11", "orders-5d9c7-abcde", "eu-west-1a")),
            List.of(port("http", 8080))));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(endpoints(registry)).containsExactly("10.1.0.11:8080 UP"));
    assertThat(source.status().synced()).isTrue();
    assertThat(source.status().lastError()).isNull();
  }

  @Test
  void anApiServerThatRefusesKeepsTheLastInstancesAndIsRetried(Vertx vertx, @TempDir Path dir)
      throws Exception {
    FakeKubeApi api = FakeKubeApi.start(vertx, "shop", dir);
    closing.add(api);
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(ready("10.1.0.11", "orders-1", "eu-west-1a")),
            List.of(port("", 8080))));
    Path token = dir.resolve("token");
    Files.writeString(token, api.token());
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    // no port name: the slices' only port
    RegistrySource source = start(vertx, registry, options(api, token, null));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(endpoints(registry)).containsExactly("10.1.0.11:8080 UP"));

    // the server stops accepting the token (it expired and the file was not renewed): 401s,
    // instances stay
    api.rotateToken("renewed");
    api.endWatches();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(source.status().lastError()).contains("HTTP 401"));
    assertThat(api.requests).anyMatch(r -> r.startsWith("REFUSED"));
    assertThat(endpoints(registry)).containsExactly("10.1.0.11:8080 UP");

    // the file is renewed: the retries get through, and changes flow again
    Files.writeString(token, "renewed");
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(ready("10.1.0.12", "orders-2", "eu-west-1a")),
            List.of(port("", 8080))));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(endpoints(registry)).containsExactly("10.1.0.12:8080 UP"));
    await().atMost(WAIT).until(() -> source.status().lastError() == null);

    // a slice whose port cannot be chosen contributes nothing (and says so in the log)
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(ready("10.1.0.12", "orders-2", "eu-west-1a")),
            List.of(port("http", 8080), port("grpc", 9090))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints(registry)).isEmpty());
    source.stop(true).await();
  }

  private RegistrySource start(Vertx vertx, Registry registry, KubernetesOptions options) {
    RegistrySource source = RegistrySource.create(vertx, registry, options);
    source.start().await();
    closing.add(0, () -> source.stop(false).await());
    return source;
  }

  private static KubernetesOptions options(FakeKubeApi api, Path token, String portName) {
    return new KubernetesOptions(
        "k8s-orders",
        "orders",
        "shop",
        "orders",
        portName,
        false,
        "IPv4",
        api.url(),
        token.toString(),
        api.caFile().toString(),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5));
  }

  private static long listCount(FakeKubeApi api) {
    return api.requests.stream().filter(r -> r.equals("LIST continue=-")).count();
  }

  private static List<String> endpoints(Registry registry) {
    return registry.instances().await().stream()
        .sorted(Comparator.comparing(ServiceInstance::endpointKey))
        .map(i -> i.endpointKey() + " " + i.status())
        .toList();
  }

  private static ServiceInstance byHost(Registry registry, String host) {
    return registry.instances().await().stream()
        .filter(i -> i.host().equals(host))
        .findFirst()
        .orElseThrow();
  }
}
