package dev.portico.discovery.sources.internal;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.Registry;
import dev.portico.discovery.ServiceInstance;
import dev.portico.discovery.sources.SourceRecords;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the registry hold exactly a source's current view: the records carrying the source's id are
 * compared with the view by endpoint ({@code service|host:port}); missing ones are published,
 * changed ones updated in place (same id), gone ones and duplicates unpublished. The registry is
 * read again for every pass, so a pass also repairs records lost or removed meanwhile (a Redis
 * restarted empty) and duplicates left by two gateways of a fleet syncing the same source at once
 * (the record with the smallest id is kept, so every gateway keeps the same one).
 *
 * <p>Passes run one at a time; views offered during a pass coalesce into one more pass with the
 * newest. Writes are sequential so a shared registry's connection pool is never flooded. Not
 * thread-safe: called on the owning source's context only.
 */
public final class SourceSync {

  private final Registry registry;
  private final String sourceId;

  private boolean running;
  private List<InstanceSpec> next;
  private List<Promise<Integer>> nextWaiters = new ArrayList<>();

  public SourceSync(Registry registry, String sourceId) {
    this.registry = registry;
    this.sourceId = sourceId;
  }

  /**
   * Brings the registry to {@code view}; completes with the number of instances it holds for the
   * source.
   */
  public Future<Integer> apply(List<InstanceSpec> view) {
    Promise<Integer> promise = Promise.promise();
    next = List.copyOf(view);
    nextWaiters.add(promise);
    if (!running) {
      runNext();
    }
    return promise.future();
  }

  private void runNext() {
    if (next == null) {
      running = false;
      return;
    }
    running = true;
    List<InstanceSpec> view = next;
    List<Promise<Integer>> waiters = nextWaiters;
    next = null;
    nextWaiters = new ArrayList<>();
    reconcile(view)
        .onComplete(
            ar -> {
              waiters.forEach(w -> w.handle(ar));
              runNext();
            });
  }

  private Future<Integer> reconcile(List<InstanceSpec> view) {
    return registry
        .instances()
        .compose(
            all -> {
              Map<String, List<ServiceInstance>> mine = new LinkedHashMap<>();
              for (ServiceInstance i : all) {
                if (sourceId.equals(SourceRecords.owner(i))) {
                  mine.computeIfAbsent(key(i.service(), i.host(), i.port()), k -> new ArrayList<>())
                      .add(i);
                }
              }
              Map<String, InstanceSpec> wanted = new LinkedHashMap<>();
              for (InstanceSpec spec : view) {
                wanted.putIfAbsent(key(spec.service(), spec.host(), spec.port()), spec);
              }
              Future<Void> chain = Future.succeededFuture();
              for (Map.Entry<String, InstanceSpec> e : wanted.entrySet()) {
                InstanceSpec spec = e.getValue();
                List<ServiceInstance> existing = mine.remove(e.getKey());
                if (existing == null) {
                  chain = chain.compose(v -> registry.publish(spec).mapEmpty());
                  continue;
                }
                existing.sort(Comparator.comparing(ServiceInstance::id));
                ServiceInstance kept = existing.get(0);
                for (ServiceInstance extra : existing.subList(1, existing.size())) {
                  chain = chain.compose(v -> registry.unpublish(extra.id()));
                }
                if (!same(kept, spec)) {
                  chain = chain.compose(v -> registry.update(kept.id(), spec).mapEmpty());
                }
              }
              for (List<ServiceInstance> gone : mine.values()) {
                for (ServiceInstance i : gone) {
                  chain = chain.compose(v -> registry.unpublish(i.id()));
                }
              }
              return chain.map(v -> wanted.size());
            });
  }

  private static boolean same(ServiceInstance i, InstanceSpec spec) {
    return i.status() == spec.status()
        && i.ssl() == spec.ssl()
        && i.root().equals(spec.root())
        && i.metadata().equals(spec.metadata());
  }

  private static String key(String service, String host, int port) {
    return service + "|" + host + ":" + port;
  }
}
