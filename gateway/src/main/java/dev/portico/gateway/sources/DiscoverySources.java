package dev.portico.gateway.sources;

import dev.portico.discovery.Registry;
import dev.portico.discovery.ServiceInstance;
import dev.portico.discovery.sources.RegistrySource;
import dev.portico.discovery.sources.SourceOptions;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.discovery.sources.SourceStatus;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.gateway.health.ReadinessCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The registry sources of the configuration ({@code registry.sources}), run by the gateway: started
 * once the registry is open, stopped with the gateway. They are process-wide: a reload that changes
 * them is refused like any registry change. With a registry private to this process their records
 * are removed on stop; a shared registry keeps them for the rest of the fleet.
 */
public final class DiscoverySources {

  /**
   * Metric label and admin "source" of a record no registry source wrote (configuration, admin API,
   * demo).
   */
  public static final String STATIC = "static";

  /** ... of a Service Fabric importer's record. */
  public static final String SERVICE_FABRIC = "service-fabric";

  /**
   * ... of a record naming a source this gateway does not run (another gateway's, through a shared
   * registry).
   */
  public static final String OTHER = "other";

  /** No sources (an admin API or a test without a gateway). */
  public static final DiscoverySources NONE = new DiscoverySources(null, null, List.of(), false);

  private final List<RegistrySource> sources = new ArrayList<>();
  private final Set<String> ids = new LinkedHashSet<>();
  private final boolean sharedRegistry;

  public DiscoverySources(
      Vertx vertx, Registry registry, List<SourceOptions> options, boolean sharedRegistry) {
    this.sharedRegistry = sharedRegistry;
    for (SourceOptions o : options) {
      sources.add(RegistrySource.create(vertx, registry, o));
      ids.add(o.id());
    }
  }

  public Future<Void> start() {
    return Future.all(sources.stream().map(RegistrySource::start).toList()).mapEmpty();
  }

  public Future<Void> stop() {
    return Future.join(sources.stream().map(s -> s.stop(!sharedRegistry)).toList()).mapEmpty();
  }

  public boolean isEmpty() {
    return sources.isEmpty();
  }

  public List<SourceStatus> statuses() {
    return sources.stream().map(RegistrySource::status).toList();
  }

  /** Whether {@code id} is a source this gateway runs. */
  public boolean runs(String id) {
    return id != null && ids.contains(id);
  }

  /**
   * Who wrote {@code instance}, from a bounded set: the id of one of this gateway's sources, {@link
   * #SERVICE_FABRIC}, {@link #OTHER} or {@link #STATIC}.
   */
  public String label(ServiceInstance instance) {
    return label(instance, ids);
  }

  public static String label(ServiceInstance instance, Set<String> sourceIds) {
    String owner = SourceRecords.owner(instance);
    if (owner != null) {
      return sourceIds.contains(owner) ? owner : OTHER;
    }
    return instance.metadata(FabricRecords.SOURCE) != null ? SERVICE_FABRIC : STATIC;
  }

  /**
   * Not ready until every source has brought its view into the registry once: a gateway that routes
   * before would answer 503 for services it is about to know. Later failures keep the last known
   * instances and do not make the gateway unready (they show in the admin API and the log).
   */
  public ReadinessCheck readiness() {
    return new ReadinessCheck(
        "registry sources",
        () -> {
          List<String> waiting = new ArrayList<>();
          List<String> failing = new ArrayList<>();
          for (SourceStatus s : statuses()) {
            if (!s.synced()) {
              waiting.add(
                  s.id()
                      + (s.lastError() == null
                          ? " (first sync pending)"
                          : " (" + s.lastError() + ")"));
            } else if (s.lastError() != null) {
              failing.add(s.id() + " (" + s.lastError() + ")");
            }
          }
          if (!waiting.isEmpty()) {
            return ReadinessCheck.Result.notReady("not synced yet: " + String.join(", ", waiting));
          }
          // a source that fails after its first sync keeps its last instances routing: degraded,
          // not unready
          return failing.isEmpty()
              ? ReadinessCheck.Result.ok(sources.size() + " synced")
              : ReadinessCheck.Result.degraded(
                  "serving the last instances of " + String.join(", ", failing));
        });
  }
}
