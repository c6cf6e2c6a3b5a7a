package dev.portico.gateway.fabric.internal;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.FabricResolver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the resolver's index when the registry snapshot changes, off the event loop: building
 * the index of thousands of records takes tens of milliseconds, too long for a thread that serves
 * requests. One build at a time, on a worker ({@code executeBlocking}, ordered); snapshots arriving
 * meanwhile coalesce into one more build of the newest. The resolver swaps the new index in
 * atomically, so requests see the old one or the new one, never a mix.
 *
 * <p>Builds are started on the context given (the gateway verticle's); snapshots may be submitted
 * from anywhere.
 */
public final class IndexUpdater {

  private static final Logger log = LoggerFactory.getLogger(IndexUpdater.class);

  private record Waiter(long version, Promise<Void> promise) {}

  private final Context context;
  private final FabricResolver resolver;
  private final Consumer<FabricIndex> swapped;
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /**
   * The newest snapshot submitted and not yet taken by a build. Only this one is held: a burst of
   * snapshots (one per registry write) arriving faster than builds must not keep each of them alive
   * in a queue of tasks, which at thousands of records each filled the heap.
   */
  private final AtomicReference<RegistrySnapshot> newest = new AtomicReference<>();

  private final AtomicBoolean scheduled = new AtomicBoolean();
  // confined to the context
  private boolean building;

  /**
   * @param swapped told (on the worker) about each new index, e.g. to prune per-endpoint state
   */
  public IndexUpdater(Context context, FabricResolver resolver, Consumer<FabricIndex> swapped) {
    this.context = context;
    this.resolver = resolver;
    this.swapped = swapped;
  }

  /**
   * Indexes {@code snapshot} (or a newer one) off the event loop. Completes, never fails, once the
   * index in force is built from it or a later snapshot (or the build failed and the old index
   * keeps serving). Safe from any thread.
   */
  public Future<Void> submit(RegistrySnapshot snapshot) {
    if (resolver.index().snapshotVersion() >= snapshot.version()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    waiters.add(new Waiter(snapshot.version(), done));
    newest.accumulateAndGet(
        snapshot, (held, given) -> held == null || given.version() > held.version() ? given : held);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(
          v -> {
            scheduled.set(false);
            if (!building) {
              build();
            }
          });
    }
    return done.future();
  }

  private void build() {
    RegistrySnapshot snapshot = newest.getAndSet(null);
    if (snapshot == null) {
      return;
    }
    building = true;
    context
        .executeBlocking(
            () -> {
              long started = System.nanoTime();
              FabricIndex index = resolver.update(snapshot);
              swapped.accept(index);
              log.debug(
                  "Service Fabric index of registry snapshot {} built in {} ms: {}",
                  snapshot.version(),
                  (System.nanoTime() - started) / 1_000_000,
                  index);
              return index;
            },
            true)
        .onComplete(
            ar -> {
              building = false;
              if (ar.failed()) {
                log.warn(
                    "building the Service Fabric index of registry snapshot {} failed; the previous index keeps serving",
                    snapshot.version(),
                    ar.cause());
              }
              long indexed =
                  ar.failed()
                      ? snapshot.version()
                      : Math.max(snapshot.version(), resolver.index().snapshotVersion());
              waiters.removeIf(
                  w -> {
                    if (w.version() <= indexed) {
                      w.promise().tryComplete();
                      return true;
                    }
                    return false;
                  });
              build();
            });
  }
}
