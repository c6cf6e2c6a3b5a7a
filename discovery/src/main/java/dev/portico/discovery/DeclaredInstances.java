package dev.portico.discovery;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configured instances in a registry that outlives each gateway (Redis). Every gateway of a fleet
 * declares the same instances and any of them may restart or crash, so publishing on start and
 * unpublishing on stop would pile up copies or remove records the others still declare. Declaring
 * is idempotent instead: a declared record for the same service and URL is adopted (its metadata
 * follows the configuration, its status stays what operators set), extra copies left by a race are
 * removed, and nothing is removed when a gateway stops.
 */
public final class DeclaredInstances {

  /** Metadata marking a record as declared by configuration. */
  public static final String MARKER = "portico.declared";

  private DeclaredInstances() {}

  /**
   * Ensures one declared record per spec; completes with the records, in the order of {@code
   * specs}.
   */
  public static Future<List<ServiceInstance>> declare(Registry registry, List<InstanceSpec> specs) {
    if (specs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return registry
        .instances()
        .compose(
            existing -> {
              // the declared records by endpoint: finding a spec's is one look-up, not a scan of
              // the registry
              Map<Endpoint, List<ServiceInstance>> declared = new HashMap<>();
              for (ServiceInstance i : existing) {
                if ("true".equals(i.metadata(MARKER))) {
                  declared.computeIfAbsent(Endpoint.of(i), k -> new ArrayList<>()).add(i);
                }
              }
              return Window.map(
                  specs,
                  Registry.WRITE_WINDOW,
                  spec -> {
                    InstanceSpec marked = mark(spec);
                    return declareOne(
                        registry, marked, declared.getOrDefault(Endpoint.of(marked), List.of()));
                  });
            });
  }

  /**
   * Whether {@code read} holds exactly one declared record of every spec (else declaring is due).
   */
  public static boolean intact(List<ServiceInstance> read, List<InstanceSpec> specs) {
    if (specs.isEmpty()) {
      return true;
    }
    // counted by endpoint: this runs on every registry read, so one pass over the read, not one per
    // spec
    Map<Endpoint, Integer> copies = new HashMap<>();
    for (ServiceInstance i : read) {
      if ("true".equals(i.metadata(MARKER))) {
        copies.merge(Endpoint.of(i), 1, Integer::sum);
      }
    }
    for (InstanceSpec spec : specs) {
      if (copies.getOrDefault(Endpoint.of(spec), 0) != 1) {
        return false;
      }
    }
    return true;
  }

  /** What makes two declared records the same: service and URL. */
  private record Endpoint(String service, String host, int port, boolean ssl, String root) {
    static Endpoint of(ServiceInstance i) {
      return new Endpoint(i.service(), i.host(), i.port(), i.ssl(), i.root());
    }

    static Endpoint of(InstanceSpec s) {
      return new Endpoint(s.service(), s.host(), s.port(), s.ssl(), s.root());
    }
  }

  private static Future<ServiceInstance> declareOne(
      Registry registry, InstanceSpec spec, List<ServiceInstance> same) {
    if (same.isEmpty()) {
      return registry.publish(spec);
    }
    ServiceInstance kept = same.get(0);
    List<Future<Void>> extras = new ArrayList<>();
    for (ServiceInstance extra : same.subList(1, same.size())) {
      // gone already is fine: another gateway cleaned up the same race
      extras.add(registry.unpublish(extra.id()).recover(e -> Future.succeededFuture()));
    }
    Future<ServiceInstance> adopted =
        kept.metadata().equals(spec.metadata())
            ? Future.succeededFuture(kept)
            : registry.update(kept.id(), spec.withStatus(kept.status()));
    return Future.all(extras).compose(v -> adopted);
  }

  private static InstanceSpec mark(InstanceSpec spec) {
    Map<String, String> metadata = new HashMap<>(spec.metadata());
    metadata.put(MARKER, "true");
    return spec.withMetadata(metadata);
  }
}
