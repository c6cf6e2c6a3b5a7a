package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Load;
import dev.portico.gateway.support.Load.Hit;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registry changes while traffic flows: a published instance receives traffic within 1 s; a DOWN or
 * unpublished one receives none 1 s after the change; no request fails meanwhile.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RegistryTrafficTest {

  @Test
  void publishDownAndUnpublishTakeEffectWithinOneSecond(Vertx vertx) throws Exception {
    int a = Backends.echo(vertx, "A").actualPort();
    int b = Backends.echo(vertx, "B").actualPort();
    int c = Backends.echo(vertx, "C").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      registry:
        refreshInterval: PT30S   # announcements alone must be enough
        instances: [ { service: orders, url: "http://127.0.0.1:%d" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(a));

    Load load = Load.start(vertx, gw.trafficPort(), "/orders/1", 4);
    long second = TimeUnit.SECONDS.toNanos(1);
    Duration atMost = Duration.ofSeconds(20);
    load.awaitServedBy("A", 100, 0, atMost);

    long publishedB = System.nanoTime();
    ServiceInstance instB =
        gw.registry().publish(InstanceSpec.of("orders", "http://127.0.0.1:" + b)).await();
    load.awaitServedBy("B", 20, publishedB, atMost);

    String idA =
        gw.registry().instances().await().stream()
            .filter(i -> i.port() == a)
            .findFirst()
            .orElseThrow()
            .id();
    long downA = System.nanoTime();
    gw.registry().setStatus(idA, InstanceStatus.DOWN).await();
    gw.registry().publish(InstanceSpec.of("orders", "http://127.0.0.1:" + c)).await();
    load.awaitServedBy("C", 20, downA, atMost);
    // traffic went on past the second within which A must have stopped receiving it
    load.awaitHits(50, h -> h.atNanos() > downA + second, atMost);

    long unpublishedB = System.nanoTime();
    gw.registry().unpublish(instB.id()).await();
    load.awaitHits(200, h -> h.atNanos() > unpublishedB + second, atMost);

    List<Hit> all = load.stop();
    assertThat(all).hasSizeGreaterThan(100);
    assertThat(all).allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    assertThat(all)
        .filteredOn(h -> h.instance().equals("B"))
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.atNanos()).isLessThan(unpublishedB + second));
    long firstB =
        all.stream()
            .filter(h -> h.instance().equals("B"))
            .mapToLong(Hit::atNanos)
            .min()
            .orElseThrow();
    assertThat(firstB - publishedB).as("nanos until B got traffic").isLessThan(second);
    assertThat(all)
        .filteredOn(h -> h.instance().equals("A"))
        .allSatisfy(h -> assertThat(h.atNanos()).isLessThan(downA + second));
    assertThat(all)
        .filteredOn(h -> h.atNanos() > unpublishedB + second)
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.instance()).isEqualTo("C"));
  }
}
