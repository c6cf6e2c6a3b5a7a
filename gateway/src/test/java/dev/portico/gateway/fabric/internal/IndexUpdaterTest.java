package dev.portico.gateway.fabric.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.FabricResolver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resolver's index is rebuilt off the event loop, one build at a time, coalescing snapshots.
 */
@ExtendWith(VertxExtension.class)
class IndexUpdaterTest {

  @Test
  void buildsOnAWorkerAndCoalescesSnapshotsThatArriveDuringABuild(Vertx vertx) throws Exception {
    FabricResolver resolver = new FabricResolver(() -> Future.failedFuture("no registry here"));
    List<Boolean> onWorker = new CopyOnWriteArrayList<>();
    List<Long> built = new CopyOnWriteArrayList<>();
    Context context = vertx.getOrCreateContext();
    // the first build holds until the other four snapshots have arrived, as a slow build of 5,000
    // records would
    java.util.concurrent.CountDownLatch allSubmitted = new java.util.concurrent.CountDownLatch(1);
    // likewise the first build of the burst below holds until the whole burst has been submitted
    java.util.concurrent.CountDownLatch burstSubmitted = new java.util.concurrent.CountDownLatch(1);
    IndexUpdater updater =
        new IndexUpdater(
            context,
            resolver,
            index -> {
              onWorker.add(Context.isOnWorkerThread());
              built.add(index.snapshotVersion());
              try {
                allSubmitted.await(10, TimeUnit.SECONDS);
                if (index.snapshotVersion() >= 6) {
                  burstSubmitted.await(10, TimeUnit.SECONDS);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    List<Future<Void>> done = new CopyOnWriteArrayList<>();
    context.runOnContext(
        v -> done.add(updater.submit(new RegistrySnapshot(1, java.util.Map.of()))));
    // the first build is under way (held until the others are submitted): they coalesce into one
    // more build
    await().atMost(10, TimeUnit.SECONDS).until(() -> built.size() == 1);
    context.runOnContext(
        v -> {
          for (long version = 2; version <= 5; version++) {
            done.add(updater.submit(new RegistrySnapshot(version, java.util.Map.of())));
          }
          allSubmitted.countDown();
        });
    await().atMost(10, TimeUnit.SECONDS).until(() -> done.size() == 5);
    Future.all(new ArrayList<>(done)).await(5, TimeUnit.SECONDS);
    FabricIndex index = resolver.index();
    assertThat(index.snapshotVersion()).isEqualTo(5);
    assertThat(onWorker).containsOnly(true);
    assertThat(built).containsExactly(1L, 5L);
    assertThat(updater.submit(new RegistrySnapshot(3, java.util.Map.of())).isComplete()).isTrue();

    // a burst from anywhere (one snapshot per registry write) is one build of the newest, holding
    // no other
    List<Future<Void>> burst = new ArrayList<>();
    for (long version = 6; version <= 500; version++) {
      burst.add(updater.submit(new RegistrySnapshot(version, java.util.Map.of())));
    }
    burstSubmitted.countDown();
    Future.all(burst).await(5, TimeUnit.SECONDS);
    assertThat(resolver.index().snapshotVersion()).isEqualTo(500);
    assertThat(built.size()).isLessThanOrEqualTo(2 + 2);
  }
}
