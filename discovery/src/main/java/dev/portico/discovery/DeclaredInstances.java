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

  private DeclaredInstances() {
  }

  /** Ensures one declared record per spec; completes with the records, in the order of {@code specs}. */
  public static Future<List<ServiceInstance>> declare(Registry registry, List<InstanceSpec> specs) {
    if (specs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return registry.instances().compose(existing -> {
      Future<List<ServiceInstance>> chain = Future.succeededFuture(new ArrayList<>());
      for (InstanceSpec spec : specs) {
        InstanceSpec marked = mark(spec);
        List<ServiceInstance> same = existing.stream().filter(i -> sameEndpoint(i, marked)).toList();
        chain = chain.compose(out -> declareOne(registry, marked, same).map(i -> {
          out.add(i);
          return out;
        }));
      }
      return chain;
    });
  }

  /** Whether {@code read} holds exactly one declared record of every spec (else declaring is due). */
  public static boolean intact(List<ServiceInstance> read, List<InstanceSpec> specs) {
    for (InstanceSpec spec : specs) {
      int copies = 0;
      for (ServiceInstance i : read) {
        if (sameEndpoint(i, spec)) {
          copies++;
        }
      }
      if (copies != 1) {
        return false;
      }
    }
    return true;
  }

  private static Future<ServiceInstance> declareOne(Registry registry, InstanceSpec spec, List<ServiceInstance> same) {
    if (same.isEmpty()) {
      return registry.publish(spec);
    }
    ServiceInstance kept = same.get(0);
    List<Future<Void>> extras = new ArrayList<>();
    for (ServiceInstance extra : same.subList(1, same.size())) {
      // gone already is fine: another gateway cleaned up the same race
      extras.add(registry.unpublish(extra.id()).recover(e -> Future.succeededFuture()));
    }
    Future<ServiceInstance> adopted = kept.metadata().equals(spec.metadata())
      ? Future.succeededFuture(kept)
      : registry.update(kept.id(), spec.withStatus(kept.status()));
    return Future.all(extras).compose(v -> adopted);
  }

  private static InstanceSpec mark(InstanceSpec spec) {
    Map<String, String> metadata = new HashMap<>(spec.metadata());
    metadata.put(MARKER, "true");
    return spec.withMetadata(metadata);
  }

  /** A declared record ({@link #MARKER}) of the spec's service and endpoint. */
  private static boolean sameEndpoint(ServiceInstance i, InstanceSpec spec) {
    return "true".equals(i.metadata(MARKER)) && i.service().equals(spec.service()) && i.host().equals(spec.host())
      && i.port() == spec.port() && i.ssl() == spec.ssl() && i.root().equals(spec.root());
  }
}
