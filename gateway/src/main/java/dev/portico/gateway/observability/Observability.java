package dev.portico.gateway.observability;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.MetricsConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.fabric.reverseproxy.ReverseProxyStage;
import dev.portico.gateway.management.ManagementServer;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.sources.DiscoverySources;
import dev.portico.gateway.tracing.TraceExemplars;
import dev.portico.gateway.tracing.Tracing;
import dev.portico.metrics.MetricsSettings;
import dev.portico.metrics.PorticoMetrics;
import dev.portico.metrics.ServiceInstanceCounts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Everything that watches the gateway, assembled from the configuration: the meters (given by the
 * launcher, which also wired them into Vert.x, or created here for a gateway deployed on someone
 * else's Vert.x), the access log, the breaker-event consumer, the registry gauges and the {@code
 * /metrics} route. The gateway verticle only starts it, mounts it, and stops it.
 */
public final class Observability {

  private final Vertx vertx;
  private final PorticoMetrics metrics;
  private final boolean ownsMetrics;
  private final AccessLog accessLog;
  private final ExchangeObserver observer;

  /** The tracer, {@code null} when tracing is off. */
  private final Tracing tracing;

  private volatile Set<String> routedServices;

  /**
   * The ids of the registry sources (process-wide: a reload cannot change them), for the {@code
   * source} label.
   */
  private final Set<String> sourceIds;

  private volatile RegistryWatcher watcher;

  /** The snapshot the registry gauges were last set from; guarded by {@code this}. */
  private RegistrySnapshot counted;

  private List<MessageConsumer<Object>> breakerConsumers = List.of();

  /**
   * @param given meters already wired into Vert.x by the launcher, or {@code null} to create them
   *     here when enabled
   * @param extra another observer to tell about every exchange (tests), or {@link
   *     ExchangeObserver#NONE}
   */
  public Observability(
      Vertx vertx, GatewayConfig config, PorticoMetrics given, ExchangeObserver extra) {
    this.vertx = vertx;
    MetricsConfig mc = config.metrics();
    this.ownsMetrics = given == null && mc.enabled();
    this.metrics = !mc.enabled() ? null : given != null ? given : createMetrics(config);
    this.accessLog =
        config.accessLog().enabled() ? new AccessLog(config.accessLog().output()) : null;
    if (metrics != null) {
      declareApis(config);
      if (accessLog != null) {
        metrics.bindAccessLogDropped(accessLog::dropped);
      }
    }
    this.observer =
        CompositeObserver.of(
            metrics == null ? ExchangeObserver.NONE : new MetricsObserver(metrics),
            accessLog == null ? ExchangeObserver.NONE : accessLog,
            extra);
    this.routedServices = routedServices(config);
    Set<String> ids = new HashSet<>();
    config.registry().sources().forEach(o -> ids.add(o.id()));
    this.sourceIds = Set.copyOf(ids);
    this.tracing = Tracing.create(config.tracing(), config.gatewayId());
  }

  /** Portico's meters for {@code config}: with exemplars linking to traces when tracing is on. */
  public static PorticoMetrics createMetrics(GatewayConfig config) {
    MetricsSettings settings = settings(config.metrics());
    return config.tracing().enabled()
        ? PorticoMetrics.create(settings, new TraceExemplars())
        : PorticoMetrics.create(settings);
  }

  /** The tracer the listeners make spans with, or {@code null} when tracing is off. */
  public Tracing tracing() {
    return tracing;
  }

  /**
   * A reload put {@code next} in force: its APIs get their series, its routed services their
   * gauges.
   */
  public void configChanged(GatewayConfig next) {
    routedServices = routedServices(next);
    if (metrics != null) {
      declareApis(next);
      RegistryWatcher w = watcher;
      if (w != null) {
        // the services to keep at 0 changed: set every gauge again
        recount(w.current());
      }
    }
  }

  /**
   * In-flight gauges exist (at 0) for every API before its first request; declaring again is
   * harmless.
   */
  private void declareApis(GatewayConfig config) {
    List<String> apis = new ArrayList<>();
    for (ApiConfig a : config.apis()) {
      apis.add(a.id());
    }
    apis.add(ExchangeObserver.UNMATCHED);
    if (config.listeners().serviceFabricReverseProxy().enabled()) {
      apis.add(ReverseProxyStage.ID);
    }
    metrics.declareApis(apis);
  }

  public static MetricsSettings settings(MetricsConfig mc) {
    return new MetricsSettings(mc.jvm(), mc.latencyBuckets());
  }

  /** What the routing verticles report every exchange to. */
  public ExchangeObserver observer() {
    return observer;
  }

  /** The meters, or {@code null} when metrics are disabled. */
  public PorticoMetrics metrics() {
    return metrics;
  }

  /** Subscribes to breaker transitions and retirements. */
  public Future<Void> start() {
    if (metrics == null) {
      return Future.succeededFuture();
    }
    return BreakerEvents.consume(vertx, metrics)
        .map(
            c -> {
              breakerConsumers = c;
              return null;
            });
  }

  /**
   * Keeps {@code portico_registry_instances} in step with the registry, starting from its current
   * snapshot.
   */
  public void watch(RegistryWatcher watcher) {
    if (metrics == null) {
      return;
    }
    this.watcher = watcher;
    watcher.onChange(this::registryChanged);
    // a registry of tens of thousands of services registers four gauges each: off the event loop,
    // and not in start-up's way (a newer snapshot counted meanwhile is not overwritten)
    vertx.executeBlocking(
        () -> {
          registryChanged(watcher.current());
          return null;
        },
        false);
  }

  /**
   * {@code portico_ready}, {@code portico_readiness_degraded} per check and {@code
   * portico_draining}, read when scraped.
   */
  public void watchHealth(ManagementServer management, BooleanSupplier draining) {
    if (metrics == null) {
      return;
    }
    Map<String, BooleanSupplier> degraded = new LinkedHashMap<>();
    for (String check : management.checkNames()) {
      degraded.put(check, () -> management.readiness().degraded(check));
    }
    metrics.bindReadiness(() -> management.readiness().ready(), degraded);
    metrics.bindDraining(draining);
  }

  /** Mounts {@code GET /metrics} on the management listener. */
  public void mount(ManagementServer management) {
    if (metrics != null) {
      management.router().get("/metrics").handler(new MetricsEndpoint(vertx, metrics));
    }
  }

  public Future<Void> stop() {
    Future<Void> unsubscribed =
        Future.join(breakerConsumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    return unsubscribed.eventually(
        () ->
            vertx.executeBlocking(
                () -> {
                  if (accessLog != null) {
                    accessLog.close(5_000);
                  }
                  if (tracing != null) {
                    // the spans still queued are sent (the export is bounded by its own timeout
                    // too)
                    tracing.close(5_000);
                  }
                  if (ownsMetrics) {
                    metrics.close();
                  }
                  return null;
                }));
  }

  /** Every gauge from {@code snapshot}. */
  private synchronized void recount(RegistrySnapshot snapshot) {
    Map<String, Map<String, ServiceInstanceCounts>> counts = new HashMap<>();
    snapshot.services().forEach((name, group) -> counts.put(name, countsBySource(group)));
    metrics.registryInstances(counts, routedServices);
    counted = snapshot;
  }

  /**
   * The gauges of the services whose group changed since the last count (snapshots share the groups
   * of unchanged services): a change costs what it touches, not the whole registry.
   */
  private synchronized void registryChanged(RegistrySnapshot snapshot) {
    RegistrySnapshot before = counted;
    if (before == null) {
      recount(snapshot);
      return;
    }
    if (snapshot.version() <= before.version()) {
      return;
    }
    Map<String, Map<String, ServiceInstanceCounts>> changed = new HashMap<>();
    snapshot
        .services()
        .forEach(
            (name, group) -> {
              if (before.service(name) != group) {
                changed.put(name, countsBySource(group));
              }
            });
    for (String name : before.services().keySet()) {
      if (snapshot.service(name) == null) {
        // no record any more
        changed.put(name, Map.of());
      }
    }
    metrics.registryInstancesChanged(changed, routedServices);
    counted = snapshot;
  }

  /**
   * A service's records counted by source (a bounded label: see DiscoverySources.label) and status.
   */
  private Map<String, ServiceInstanceCounts> countsBySource(RegistrySnapshot.ServiceGroup group) {
    Map<String, int[]> bySource = new HashMap<>();
    for (ServiceInstance i : group.all()) {
      bySource
          .computeIfAbsent(DiscoverySources.label(i, sourceIds), k -> new int[4])[
          i.status().ordinal()]++;
    }
    Map<String, ServiceInstanceCounts> perSource = new HashMap<>();
    bySource.forEach(
        (source, c) ->
            perSource.put(
                source,
                new ServiceInstanceCounts(
                    c[InstanceStatus.UP.ordinal()],
                    c[InstanceStatus.DOWN.ordinal()],
                    c[InstanceStatus.OUT_OF_SERVICE.ordinal()],
                    c[InstanceStatus.UNKNOWN.ordinal()])));
    return perSource;
  }

  /**
   * Registry services some backend routes to (Service Fabric services too: their replicas are
   * registry records): their gauges stay (at 0) when they have no record.
   */
  private static Set<String> routedServices(GatewayConfig config) {
    Set<String> services = new HashSet<>();
    for (BackendConfig b : config.backends()) {
      if (b instanceof SingleBackendConfig s
          && s.target() instanceof BackendTarget.RegistryService r) {
        services.add(r.service());
      }
      if (b instanceof FabricBackendConfig f) {
        services.add(f.service().toString());
      }
    }
    return Set.copyOf(services);
  }
}
