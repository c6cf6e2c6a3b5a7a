package dev.portico.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.RegistryWrites;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incremental watcher on a shared (Redis) registry, between two processes' registries: single
 * writes are announced by id and read alone, a batch is announced as "anything" and read whole, and
 * a check that keeps records (what RegistryHealing does) sees every read while it holds them. The
 * periodic refresh is an hour, so only announcements can explain what the watcher sees.
 */
@ExtendWith(VertxExtension.class)
class SharedWatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  RedisServer redis;
  Registry writer;
  Registry reader;
  RegistryWatcher watcher;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    redis = RedisServer.start(dir);
    RegistryOptions options =
        RegistryOptions.redis(
            "test.announce",
            redis.endpoint(),
            null,
            "sw",
            4,
            Duration.ofHours(1),
            Duration.ofSeconds(5));
    writer = Registry.create(vertx, options);
    reader = Registry.create(vertx, options);
  }

  @AfterEach
  void stop() throws Exception {
    if (watcher != null) {
      watcher.stop().await();
    }
    writer.close();
    reader.close();
    redis.close();
  }

  @Test
  void singleWritesAndBatchesOfAnotherProcessReachTheSnapshotByAnnouncement(Vertx vertx) {
    watcher = new RegistryWatcher(vertx, reader);
    AtomicInteger snapshots = new AtomicInteger();
    watcher.onChange(s -> snapshots.incrementAndGet());
    assertThat(watcher.start().await().size()).isZero();

    ServiceInstance one = writer.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    await().atMost(WAIT).until(() -> watcher.current().size() == 1);
    assertThat(watcher.current().service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactly(one.id());

    // a batch is announced once, without naming a record: the reader reads everything
    List<InstanceSpec> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(InstanceSpec.of("s" + (i % 7), "http://10.0.1." + (i % 250) + ":" + (9000 + i)));
    }
    int before = snapshots.get();
    assertThat(writer.write(new RegistryWrites(List.of(), List.of(), batch)).await().written())
        .isEqualTo(500);
    await().atMost(WAIT).until(() -> watcher.current().size() == 501);
    assertThat(snapshots.get() - before).as("one batch, few snapshots").isLessThanOrEqualTo(3);
    RegistrySnapshot afterBatch = watcher.current();

    // a single write elsewhere changes one group; the others are shared with the last snapshot
    writer.unpublish(one.id()).await();
    await().atMost(WAIT).until(() -> watcher.current().service("orders") == null);
    for (int i = 0; i < 7; i++) {
      assertThat(watcher.current().service("s" + i)).isSameAs(afterBatch.service("s" + i));
    }

    // a read of every record (HVALS: new strings, equal to the texts read before) that finds
    // nothing new makes no snapshot
    RegistrySnapshot settled = watcher.current();
    assertThat(watcher.refresh().await()).isSameAs(settled);
    assertThat(watcher.current()).isSameAs(settled);
  }

  @Test
  void aCheckThatKeepsRecordsSeesEveryReadWhileItDoes(Vertx vertx) {
    watcher = new RegistryWatcher(vertx, reader);
    ServiceInstance kept =
        new ServiceInstance(
            "kept-1", "orders", "10.9.9.9", 80, false, "", InstanceStatus.UP, Map.of());
    AtomicInteger partialChecks = new AtomicInteger();
    watcher.checkReads(
        new RegistryWatcher.ReadCheck() {
          @Override
          public Future<List<ServiceInstance>> apply(
              RegistrySnapshot current, List<ServiceInstance> read) {
            partialChecks.incrementAndGet();
            List<ServiceInstance> merged = new ArrayList<>(read);
            merged.add(kept);
            return Future.succeededFuture(merged);
          }

          @Override
          public boolean checksPartialReads() {
            return true;
          }
        });
    watcher.start().await();
    assertThat(watcher.current().service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactly("kept-1");

    // a targeted read (one announced record) goes through the check too: the kept record stays
    ServiceInstance added =
        writer.publish(InstanceSpec.of("orders", "http://10.0.0.2:8080")).await();
    await().atMost(WAIT).until(() -> watcher.current().service("orders").all().size() == 2);
    assertThat(watcher.current().service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactlyInAnyOrder("kept-1", added.id());
    assertThat(partialChecks.get()).isGreaterThanOrEqualTo(2);
  }
}
