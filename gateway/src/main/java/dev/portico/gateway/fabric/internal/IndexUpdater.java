package dev.portico.gateway.fabric.internal;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.FabricResolver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rebuilds the resolver's index when the registry snapshot changes, off the event loop: building
 * the index of thousands of records takes tens of milliseconds, too long for a thread that serves
 * requests. One build at a time, on a worker ({@code executeBlocking}, ordered); snapshots
 * arriving meanwhile coalesce into one more build of the newest. The resolver swaps the new index
 * in atomically, so requests see the old one or the new one, never a mix.
 *
 * <p>State is confined to the context given (the gateway verticle's).
 */
public final class IndexUpdater {

  private static final Logger log = LoggerFactory.getLogger(IndexUpdater.class);

  private record Waiter(long version, Promise<Void> promise) {
  }

  private final Context context;
  private final FabricResolver resolver;
  private final Consumer<FabricIndex> swapped;
  private final List<Waiter> waiters = new ArrayList<>();
  private RegistrySnapshot pending;
  private boolean building;

  /** @param swapped told (on the worker) about each new index, e.g. to prune per-endpoint state */
  public IndexUpdater(Context context, FabricResolver resolver, Consumer<FabricIndex> swapped) {
    this.context = context;
    this.resolver = resolver;
    this.swapped = swapped;
  }

  /**
   * Indexes {@code snapshot} (or a newer one) off the event loop. Completes, never fails, once
   * the index in force is built from it or a later snapshot (or the build failed and the old
   * index keeps serving).
   */
  public Future<Void> submit(RegistrySnapshot snapshot) {
    if (resolver.index().snapshotVersion() >= snapshot.version()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      waiters.add(new Waiter(snapshot.version(), done));
      if (pending == null || snapshot.version() > pending.version()) {
        pending = snapshot;
      }
      if (!building) {
        build();
      }
    });
    return done.future();
  }

  private void build() {
    RegistrySnapshot snapshot = pending;
    pending = null;
    building = true;
    context.executeBlocking(() -> {
      long started = System.nanoTime();
      FabricIndex index = resolver.update(snapshot);
      swapped.accept(index);
      log.debug("Service Fabric index of registry snapshot {} built in {} ms: {}", snapshot.version(),
        (System.nanoTime() - started) / 1_000_000, index);
      return index;
    }, true).onComplete(ar -> {
      building = false;
      if (ar.failed()) {
        log.warn("building the Service Fabric index of registry snapshot {} failed; the previous index keeps serving",
          snapshot.version(), ar.cause());
      }
      long indexed = ar.failed() ? snapshot.version() : Math.max(snapshot.version(), resolver.index().snapshotVersion());
      waiters.removeIf(w -> {
        if (w.version() <= indexed) {
          w.promise().tryComplete();
          return true;
        }
        return false;
      });
      if (pending != null) {
        build();
      }
    });
  }
}
