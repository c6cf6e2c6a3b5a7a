package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RegistryBatchTest {

  @Test
  void publishAllPublishesEveryRecordInOrder(Vertx vertx) {
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      specs.add(
          InstanceSpec.of(
              "svc-" + (i % 7), "http://10.0." + (i / 250) + "." + (i % 250) + ":8080"));
    }
    List<ServiceInstance> records = registry.publishAll(specs).await();
    assertThat(records).hasSize(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      assertThat(records.get(i).service()).isEqualTo(specs.get(i).service());
      assertThat(records.get(i).host()).isEqualTo(specs.get(i).host());
    }
    assertThat(registry.instances().await()).hasSize(specs.size());
    registry.close();
  }

  @Test
  void aWindowKeepsItsBoundAndStopsAtTheFirstFailure() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    List<io.vertx.core.Promise<Integer>> open = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add(i);
    }
    Future<List<Integer>> all =
        Window.map(
            items,
            8,
            i -> {
              started.incrementAndGet();
              most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              io.vertx.core.Promise<Integer> p = io.vertx.core.Promise.promise();
              open.add(p);
              return p.future();
            });
    // complete them one by one, as a registry would answer
    for (int k = 0; k < 50; k++) {
      io.vertx.core.Promise<Integer> p = open.remove(0);
      inFlight.decrementAndGet();
      p.complete(k);
    }
    assertThat(most.get()).isEqualTo(8);
    inFlight.decrementAndGet();
    open.remove(0).fail(new IllegalStateException("registry down"));
    while (!open.isEmpty()) {
      open.remove(0).complete(0);
    }
    assertThatThrownBy(all::await).hasMessageContaining("registry down");
    assertThat(started.get()).isLessThan(100);
  }

  @Test
  void synchronousCompletionsDoNotNest() {
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      items.add(i);
    }
    List<Integer> out = Window.map(items, 4, Future::succeededFuture).await();
    assertThat(out).hasSize(items.size()).startsWith(0, 1, 2).endsWith(199_999);
  }
}
