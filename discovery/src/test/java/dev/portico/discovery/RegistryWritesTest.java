package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Batches of registry writes: all applied, failures listed, one announcement per batch. */
@ExtendWith(VertxExtension.class)
class RegistryWritesTest {

  @Test
  void aBatchIsWrittenWholeAndAnnouncedOnce(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    AtomicInteger announcements = new AtomicInteger();
    List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx
        .eventBus()
        .<io.vertx.core.json.JsonObject>consumer(
            registry.options().announceAddress(),
            m -> {
              said.add(m.body().getString("changed"));
              announcements.incrementAndGet();
            })
        .completion()
        .await();
    ServiceInstance old =
        registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    ServiceInstance moved =
        registry.publish(InstanceSpec.of("orders", "http://10.0.0.2:8080")).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> announcements.get() == 2);

    // thousands of writes that a local registry completes at once: no recursion per record
    List<InstanceSpec> publish = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      publish.add(
          InstanceSpec.of(
              "bulk",
              "http://10.1." + (i / 250) + "." + (i % 250) + ":8080",
              InstanceStatus.UP,
              Map.of("n", Integer.toString(i))));
    }
    RegistryWrites.Result result =
        registry
            .write(
                new RegistryWrites(
                    List.of(old.id(), "no-such-record"),
                    List.of(
                        new RegistryWrites.Update(
                            moved.id(), InstanceSpec.of("orders", "http://10.0.0.9:9090")),
                        new RegistryWrites.Update(
                            "gone-too", InstanceSpec.of("orders", "http://10.0.0.8:9090"))),
                    publish))
            .await();

    assertThat(result.unpublished()).containsExactly(old.id());
    assertThat(result.updated()).extracting(ServiceInstance::id).containsExactly(moved.id());
    assertThat(result.updated().get(0).baseUrl()).isEqualTo("http://10.0.0.9:9090");
    assertThat(result.published()).hasSize(5000);
    assertThat(result.published().get(4999).metadata("n")).isEqualTo("4999");
    assertThat(result.failures())
        .hasSize(2)
        .anyMatch(f -> f.startsWith("unpublish of record no-such-record: "))
        .anyMatch(f -> f.startsWith("update of record gone-too: "));
    assertThat(result.written()).isEqualTo(5002);
    List<ServiceInstance> all = registry.instances().await();
    assertThat(all).hasSize(5001);
    assertThat(all).noneMatch(i -> i.id().equals(old.id()));

    // the batch is one announcement, however many records it wrote
    await().atMost(5, TimeUnit.SECONDS).until(() -> announcements.get() == 3);
    registry
        .write(
            new RegistryWrites(
                List.of(), List.of(), List.of(InstanceSpec.of("one", "http://10.2.0.1"))))
        .await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> announcements.get() == 4);
    // nothing written, nothing announced
    RegistryWrites.Result none =
        registry.write(new RegistryWrites(List.of("no-such-record"), List.of(), List.of())).await();
    assertThat(none.written()).isZero();
    String two = registry.publish(InstanceSpec.of("two", "http://10.2.0.2")).await().id();
    // announcements arrive in order: once this one is in, an announcement of the empty batch would
    // be too
    await().atMost(5, TimeUnit.SECONDS).until(() -> said.contains(two));
    assertThat(said).hasSize(5);
    registry.close();
  }
}
