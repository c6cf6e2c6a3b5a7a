package dev.portico.gateway;

import dev.portico.discovery.DeclaredInstances;
import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryHealing;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.admin.AdminApi;
import dev.portico.gateway.admin.ConfigResource;
import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.backend.PoolBackend;
import dev.portico.gateway.backend.SingleBackend;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.config.NamedValue;
import dev.portico.gateway.config.RegistryConfig;
import dev.portico.gateway.config.ReverseProxyConfig;
import dev.portico.gateway.demo.DemoBackend;
import dev.portico.gateway.demo.FabricDemo;
import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.fabric.reverseproxy.ReverseProxyStage;
import dev.portico.gateway.health.ReadinessCheck;
import dev.portico.gateway.lifecycle.DrainState;
import dev.portico.gateway.lifecycle.GracefulShutdown;
import dev.portico.gateway.management.ManagementServer;
import dev.portico.gateway.observability.Observability;
import dev.portico.gateway.observability.PolicyMeters;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.pipeline.Pipeline;
import dev.portico.gateway.pipeline.ProxyVerticle;
import dev.portico.gateway.policy.PolicyCompiler;
import dev.portico.gateway.policy.PolicyEnvironment;
import dev.portico.gateway.policy.PolicyEvents;
import dev.portico.gateway.reload.ConfigChange;
import dev.portico.gateway.reload.ConfigReloader;
import dev.portico.gateway.reload.ConfigSource;
import dev.portico.gateway.reload.ReloadResult;
import dev.portico.gateway.resilience.BreakerRetired;
import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.routing.RoutePolicies;
import dev.portico.gateway.sources.DiscoverySources;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.state.RoutingStateHolder;
import dev.portico.metrics.BreakerState;
import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway process: opens the registry and publishes the configured (and demo) instances,
 * indexes the registry's Service Fabric records and starts the importers of the configured
 * clusters, builds the first routing state, deploys one routing verticle per event loop on the
 * traffic port (and on the Service-Fabric-reverse-proxy port when enabled), and starts the
 * management listener. A reload ({@link #reload()}) swaps in a routing state compiled from the
 * configuration read again. Stopping unpublishes what it published (a shared registry's declared
 * instances stay for the rest of the fleet) and stops the importers.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  /** The configuration in force: replaced as a whole by a reload. */
  private volatile GatewayConfig config;

  private final int routingInstances;
  private final ExchangeObserver observer;
  private final PorticoMetrics metrics;
  private Observability observability;
  private final List<String> published = new CopyOnWriteArrayList<>();
  private Registry registry;
  private RegistryWatcher watcher;

  /** Registry sources (DNS SRV, Kubernetes): process-wide, started once the registry is open. */
  private DiscoverySources sources = DiscoverySources.NONE;

  private RoutingStateHolder states;
  private BackendStates backendStates;
  private FabricRuntime fabric;
  private ManagementServer management;
  private volatile int trafficPort = -1;
  private volatile int reverseProxyPort = -1;
  private ConfigSource source;
  private volatile ConfigReloader reloader;

  /** Shutdown drain: shared with every routing verticle (traffic and reverse-proxy listeners). */
  private final DrainState drainState = new DrainState();

  private final List<ProxyVerticle> listeners = new CopyOnWriteArrayList<>();
  private GracefulShutdown shutdown;

  /**
   * What compiled policies share for the life of the process (limit counters, key sets): kept
   * across reloads so a reload does not hand every client a fresh bucket; closed on stop.
   */
  private PolicyEnvironment policyEnvironment;

  /** The Redis client of fleet-wide limits (with a Redis registry only); closed on stop. */
  private Redis policyRedis;

  /**
   * Named values of the configuration being compiled: policies resolve {{name}} when they compile.
   */
  private volatile Map<String, String> namedValues = Map.of();

  public GatewayVerticle(GatewayConfig config) {
    this(config, config.eventLoops(), ExchangeObserver.NONE);
  }

  /**
   * @param routingInstances how many routing verticles share the traffic port (normally one per
   *     event loop)
   * @param observer told about every request (metrics, access log)
   */
  public GatewayVerticle(GatewayConfig config, int routingInstances, ExchangeObserver observer) {
    this(config, routingInstances, observer, null);
  }

  /**
   * @param metrics meters the launcher already wired into Vert.x; {@code null} to have the gateway
   *     create its own (when {@code metrics.enabled}), as on a Vert.x it did not create
   */
  public GatewayVerticle(
      GatewayConfig config,
      int routingInstances,
      ExchangeObserver observer,
      PorticoMetrics metrics) {
    this.config = config;
    this.routingInstances = Math.max(1, routingInstances);
    this.observer = observer;
    this.metrics = metrics;
  }

  /**
   * Where {@link #reload()} reads the configuration again; without it a reload fails and says so.
   */
  public GatewayVerticle reloadableFrom(ConfigSource source) {
    this.source = source;
    return this;
  }

  @Override
  public Future<?> start() {
    registry = Registry.create(vertx, config.registry().options());
    watcher = new RegistryWatcher(vertx, registry);
    if (config.registry().shared()) {
      // a Redis that comes back empty must not empty the routing: see RegistryHealing
      RegistryHealing healing =
          new RegistryHealing(
              registry,
              watcher::current,
              config.registry().instances(),
              healingGrace(config.registry()));
      watcher.checkReads(healing);
      registry.onConnectionLost(healing::connectionLost);
    }
    // the configured instances' records are made on a worker thread (tens of thousands at scale):
    // meanwhile this event loop declares the APIs' meters (Observability); with the demo on, its
    // instances are published first, as always
    boolean demo = config.demo().enabled() || config.demo().serviceFabric();
    Future<Void> configured = demo ? null : publishConfigured(config.registry());
    // first, so that metrics see the first breaker transition and the first request
    observability = new Observability(vertx, config, metrics, observer);
    return observability
        .start()
        .compose(v -> startDemo())
        .compose(v -> demo ? publishConfigured(config.registry()) : configured)
        .compose(v -> watcher.start().recover(this::registryFailure))
        .compose(snapshot -> startSources().map(snapshot))
        .compose(
            snapshot -> {
              backendStates =
                  new BackendStates(
                      this::breakerTransition,
                      retired ->
                          vertx.eventBus().publish(BreakerRetired.ADDRESS, retired.toJson()));
              fabric =
                  new FabricRuntime(
                      vertx,
                      registry,
                      watcher,
                      backendStates,
                      fabricBackendIds(),
                      config.fabricImporters());
              return fabric.start().map(snapshot);
            })
        .compose(
            snapshot -> {
              RoutePolicies policies;
              try {
                policies = compilePolicies(config);
              } catch (ConfigException e) {
                return Future.failedFuture(e);
              }
              states =
                  new RoutingStateHolder(
                      RoutingState.compile(config, snapshot, backendStates, policies, fabric));
              watcher.onChange(states::registryChanged);
              return deployRouting();
            })
        .compose(v -> deployReverseProxy())
        .compose(
            v -> {
              shutdown =
                  new GracefulShutdown(
                      vertx,
                      drainState,
                      () -> listeners,
                      abandoned -> {
                        PorticoMetrics m = metrics();
                        if (m != null) {
                          m.drainAbandoned(abandoned);
                        }
                      });
              reloader =
                  new ConfigReloader(
                      vertx,
                      vertx.getOrCreateContext(),
                      source,
                      () -> config,
                      this::applyConfig,
                      result -> {
                        PorticoMetrics m = metrics();
                        if (m != null) {
                          m.configReloaded(result.outcome());
                        }
                      });
              return startManagement();
            })
        .onSuccess(
            v ->
                log.info(
                    "gateway {} ready: traffic on {}://{}:{}, management on {}://{}:{}, {} APIs, {} backends,"
                        + " registry: {}, transport: {} (config: {})",
                    config.gatewayId(),
                    config.listeners().traffic().scheme(),
                    config.listeners().traffic().host(),
                    trafficPort,
                    config.listeners().management().scheme(),
                    config.listeners().management().host(),
                    management.actualPort(),
                    config.apis().size(),
                    config.backends().size(),
                    config.registry().describe(),
                    vertx.isNativeTransportEnabled() ? "native" : "jdk",
                    config.source()));
  }

  @Override
  public Future<?> stop() {
    // the watcher first: announcements of our own unpublications would otherwise reach a consumer
    // that is being unregistered (Vert.x warns about each such message)
    return (watcher == null ? Future.<Void>succeededFuture() : watcher.stop())
        .eventually(
            () -> {
              Future<Void> removals =
                  registry
                      .unpublishAll(List.copyOf(published))
                      .recover(e -> Future.succeededFuture());
              return Future.join(removals, sources.stop());
            })
        .eventually(() -> fabric == null ? Future.succeededFuture() : fabric.stop())
        .eventually(() -> management == null ? Future.succeededFuture() : management.stop())
        .eventually(
            () ->
                policyEnvironment == null
                    ? Future.succeededFuture()
                    : policyEnvironment.closeAsync())
        .eventually(
            () -> policyRedis == null ? Future.succeededFuture() : closeQuietly(policyRedis))
        .eventually(() -> observability == null ? Future.succeededFuture() : observability.stop())
        .onComplete(ar -> registry.close());
  }

  /**
   * Drains the gateway (SIGTERM, SIGINT): readiness 503 at once, listeners closed after {@code
   * gateway.shutdown.delay}, requests in flight given until {@code gateway.shutdown.gracePeriod}
   * (see {@link GracefulShutdown}). Completes when the drain is over; stopping the verticle (or
   * Vert.x) afterwards stops importers, registry subscriptions and timers, and cuts off whatever is
   * left. Draining again returns the same outcome.
   *
   * @param cause what started it, for the log (e.g. {@code SIGTERM})
   */
  public Future<GracefulShutdown.Outcome> drain(String cause) {
    if (shutdown == null || management == null) {
      return Future.failedFuture(new IllegalStateException("the gateway has not started yet"));
    }
    // readiness first: it must say 503 no later than the listeners close
    management.draining(
        () ->
            cause
                + " at "
                + drainState.since()
                + ", "
                + shutdown.inFlight()
                + " requests in flight");
    return shutdown.drain(config.shutdown(), cause);
  }

  /** Requests in flight on the traffic (and reverse-proxy) listeners now. */
  public int inFlight() {
    return shutdown == null ? 0 : shutdown.inFlight();
  }

  public int trafficPort() {
    return trafficPort;
  }

  public int managementPort() {
    return management.actualPort();
  }

  /** The port of the Service-Fabric-reverse-proxy listener, -1 when it is off. */
  public int reverseProxyPort() {
    return reverseProxyPort;
  }

  /** Service Fabric naming: the resolver's index, importers and their status. */
  public FabricRuntime fabric() {
    return fabric;
  }

  public Registry registry() {
    return registry;
  }

  public RegistryWatcher registryWatcher() {
    return watcher;
  }

  /** The registry sources of {@code registry.sources} (none when the configuration has none). */
  public DiscoverySources registrySources() {
    return sources;
  }

  public RoutingStateHolder routingStates() {
    return states;
  }

  /** The gateway's meters, {@code null} when {@code metrics.enabled} is false. */
  public PorticoMetrics metrics() {
    return observability == null ? null : observability.metrics();
  }

  /**
   * APIM's backend reconnect: closes every circuit breaker of the backend (of each member, for a
   * pool) now, or after {@code after}. Completes when done; fails for an unknown backend.
   *
   * @return the breakers closed, as {@code "<backend> <endpoint>"}
   */
  public Future<List<String>> reconnect(String backendId, Duration after) {
    Backend backend = states.current().backend(backendId);
    if (backend == null) {
      return Future.failedFuture(
          new NoSuchElementException("no backend with id '" + backendId + "'"));
    }
    List<String> ids = new ArrayList<>();
    if (backend instanceof PoolBackend pool) {
      for (SingleBackend m : pool.members()) {
        ids.add(m.id());
      }
    } else {
      ids.add(backendId);
    }
    if (after == null || after.isZero() || after.isNegative()) {
      return Future.succeededFuture(backendStates.reset(ids));
    }
    Promise<List<String>> done = Promise.promise();
    vertx.setTimer(after.toMillis(), t -> done.complete(backendStates.reset(ids)));
    return done.future();
  }

  /** The configuration in force. */
  public GatewayConfig gatewayConfig() {
    return config;
  }

  /** How the last reload ended; {@code null} before the first (or before the gateway started). */
  public ReloadResult lastReload() {
    return reloader == null ? null : reloader.last();
  }

  /**
   * Reads the configuration source again and, when it validates and changes only what can change
   * live (APIs, backends, named values, certificates), swaps in a routing state compiled from it.
   * Otherwise nothing changes and the result says why. Reloads run one at a time, in order.
   */
  public Future<ReloadResult> reload() {
    if (reloader == null) {
      return Future.failedFuture(new IllegalStateException("the gateway has not started yet"));
    }
    return reloader.reload();
  }

  /** A reload accepted {@code next}: a routing state compiled from it replaces the running one. */
  private void applyConfig(GatewayConfig next, ConfigChange change) {
    // first: a policy that does not compile refuses the reload whole (ConfigException), nothing
    // changed yet
    RoutePolicies policies = compilePolicies(next);
    // breakers keep their rules for life: those of changed backends start over with the new ones
    // (before compiling, which creates the new breakers; a retired one keeps working, silently,
    // for requests still on the old state)
    for (String backend : change.retireBreakers()) {
      backendStates.retainOnly(backend, Set.of());
    }
    RoutingState compiled =
        RoutingState.compile(next, watcher.current(), backendStates, policies, fabric);
    states.update(
        s ->
            s.registry().version() > compiled.registry().version()
                ? compiled.withRegistry(s.registry())
                : compiled);
    config = next;
    observability.configChanged(next);
  }

  /**
   * Compiles the policies of {@code next} in the process's environment (made on first use: metrics
   * and the Redis client of fleet-wide limits are ready by then).
   *
   * @throws ConfigException naming the fields whose policies do not compile
   */
  private RoutePolicies compilePolicies(GatewayConfig next) {
    Map<String, String> values = new HashMap<>();
    for (NamedValue nv : next.namedValues()) {
      values.put(nv.name(), nv.value());
    }
    Map<String, String> previous = namedValues;
    namedValues = Map.copyOf(values);
    if (policyEnvironment == null) {
      policyEnvironment = createPolicyEnvironment();
    }
    try {
      return RoutePolicies.compile(next, new PolicyCompiler(policyEnvironment));
    } catch (ConfigException e) {
      namedValues = previous;
      throw e;
    }
  }

  /**
   * Compiles the policies of {@code config} as a start would, in a short-lived Vert.x, without
   * connecting anywhere ({@code --validate}).
   *
   * @throws ConfigException naming the fields whose policies do not compile
   */
  static void checkPolicies(GatewayConfig config) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    Redis redis = null;
    try {
      Map<String, String> values = new HashMap<>();
      config.namedValues().forEach(nv -> values.put(nv.name(), nv.value()));
      // a Redis client connects on first use: none is made here
      redis =
          config.registry().shared() && config.registry().redis() != null
              ? Redis.createClient(vertx, redisOptions(config.registry().redis()))
              : null;
      PolicyEnvironment.Builder b =
          PolicyEnvironment.builder(vertx)
              .namedValues(values)
              .trustedProxyDepth(config.policySettings().trustedProxyDepth())
              .maxKeysPerLimit(config.policySettings().maxKeysPerLimit());
      if (redis != null) {
        b.redis(redis);
      }
      RoutePolicies.compile(config, new PolicyCompiler(b.build()));
    } finally {
      if (redis != null) {
        redis.close();
      }
      vertx.close().await();
    }
  }

  private static RedisOptions redisOptions(RegistryConfig.Redis r) {
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(r.endpoint())
            .setMaxPoolSize(r.maxPoolSize())
            .setMaxPoolWaiting(1024);
    if (r.password() != null) {
      options.setPassword(r.password());
    }
    return options;
  }

  private PolicyEnvironment createPolicyEnvironment() {
    PorticoMetrics m = metrics();
    PolicyEnvironment.Builder b =
        PolicyEnvironment.builder(vertx)
            .namedValues(name -> namedValues.get(name))
            .events(m == null ? PolicyEvents.NONE : new PolicyMeters(m.registry()))
            .trustedProxyDepth(config.policySettings().trustedProxyDepth())
            .maxKeysPerLimit(config.policySettings().maxKeysPerLimit());
    RegistryConfig.Redis r = config.registry().redis();
    if (config.registry().shared() && r != null) {
      // fleet-wide limits live in the registry's Redis: every gateway of the fleet shares it
      // already
      policyRedis = Redis.createClient(vertx, redisOptions(r));
      // connect now: a first connection made by a request's decision could outlast the store's call
      // timeout
      policyRedis
          .send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.PING))
          .onFailure(
              e ->
                  log.warn(
                      "fleet-wide limits: Redis at {} did not answer a PING yet: {}",
                      r.safeEndpoint(),
                      e.getMessage()));
      b.redis(policyRedis);
    }
    return b.build();
  }

  private static Future<Void> closeQuietly(Redis redis) {
    try {
      redis.close();
    } catch (RuntimeException e) {
      // stopping anyway
    }
    return Future.succeededFuture();
  }

  /** The policies' shared environment ({@code null} before start). */
  public PolicyEnvironment policyEnvironment() {
    return policyEnvironment;
  }

  /**
   * Breakers publish their transitions here: event bus (for metrics and other listeners) and the
   * log.
   */
  private void breakerTransition(BreakerTransition t) {
    if (t.to() == BreakerState.OPEN) {
      log.warn(
          "circuit breaker OPEN: backend={} endpoint={} rule={} for {} s (was {})",
          t.backend(),
          t.endpoint(),
          t.rule(),
          t.retryAfterSeconds(),
          t.from());
    } else {
      log.info(
          "circuit breaker {}: backend={} endpoint={} (was {})",
          t.to(),
          t.backend(),
          t.endpoint(),
          t.from());
    }
    vertx.eventBus().publish(BreakerTransition.ADDRESS, t.toJson());
  }

  private Future<Void> startDemo() {
    Future<Void> fabricDemo =
        !config.demo().serviceFabric()
            ? Future.succeededFuture()
            : FabricDemo.start(vertx).compose(this::publishAll);
    if (!config.demo().enabled()) {
      return fabricDemo;
    }
    List<InstanceSpec> specs = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 1; i <= config.demo().instances(); i++) {
      String name = "demo-echo-" + i;
      DemoBackend demo = new DemoBackend("demo-echo", name, "127.0.0.1");
      chain =
          chain.compose(
              v ->
                  vertx
                      .deployVerticle(demo)
                      .map(
                          id -> {
                            specs.add(
                                new InstanceSpec(
                                    "demo-echo",
                                    "127.0.0.1",
                                    demo.port(),
                                    false,
                                    "",
                                    null,
                                    java.util.Map.of("instance", name)));
                            return null;
                          }));
    }
    return chain.compose(v -> publishAll(specs)).compose(v -> fabricDemo);
  }

  /**
   * Starts {@code registry.sources}; each syncs in the background (readiness waits for the first
   * sync).
   */
  private Future<Void> startSources() {
    if (config.registry().sources().isEmpty()) {
      return Future.succeededFuture();
    }
    sources =
        new DiscoverySources(
            vertx, registry, config.registry().sources(), config.registry().shared());
    return sources.start();
  }

  /**
   * Backends whose endpoints are resolved Service Fabric replicas (their breakers follow the
   * index).
   */
  private List<String> fabricBackendIds() {
    List<String> ids = new ArrayList<>();
    for (BackendConfig b : config.backends()) {
      if (b instanceof FabricBackendConfig) {
        ids.add(b.id());
      }
    }
    if (config.listeners().serviceFabricReverseProxy().enabled()) {
      ids.add(ReverseProxyStage.ID);
    }
    return ids;
  }

  /**
   * A local registry dies with the process: its configured records are published and removed again
   * on stop. A shared one outlives every gateway: they are declared (adopted when present, kept on
   * stop).
   */
  private Future<Void> publishConfigured(RegistryConfig r) {
    if (!r.shared()) {
      return publishAll(r.instances());
    }
    if (r.instances().isEmpty()) {
      return Future.succeededFuture();
    }
    // a Redis that comes back empty (restarted without persistence) gets them again from
    // RegistryHealing
    return DeclaredInstances.declare(registry, r.instances())
        .recover(this::registryFailure)
        .mapEmpty();
  }

  /**
   * How long records a shared registry lost stay routable while its writers restore theirs: three
   * polling intervals (every gateway re-declares within one), at least 15 s.
   */
  static Duration healingGrace(RegistryConfig r) {
    Duration three = r.refreshInterval().multipliedBy(3);
    return three.compareTo(Duration.ofSeconds(15)) < 0 ? Duration.ofSeconds(15) : three;
  }

  /** A start-up failure that says which registry (never its password) could not be used. */
  private <T> Future<T> registryFailure(Throwable e) {
    return Future.failedFuture(
        new StartFailure(
            "the registry ("
                + config.registry().describe()
                + ") could not be read or written: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
  }

  /**
   * Many at a time (thousands of configured instances publish in well under a second), not one
   * after the other.
   */
  private Future<Void> publishAll(List<InstanceSpec> specs) {
    // one copy of the (copy-on-write) list, not one per record
    return registry
        .publishAll(specs)
        .map(
            records -> {
              published.addAll(records.stream().map(ServiceInstance::id).toList());
              return null;
            });
  }

  private Future<Void> deployRouting() {
    int configured = config.listeners().traffic().port();
    // Vert.x shares one socket among servers bound to the same port; a negative port asks for a
    // random port shared that way (port 0 would give each routing verticle its own port)
    int port = configured == 0 ? -1 : configured;
    List<ProxyVerticle> instances = new CopyOnWriteArrayList<>();
    return vertx
        .deployVerticle(
            () -> {
              ProxyVerticle v =
                  new ProxyVerticle(config, states, observability.observer(), port)
                      .drainingWith(drainState)
                      .tracedWith(observability.tracing());
              instances.add(v);
              listeners.add(v);
              return v;
            },
            new DeploymentOptions().setInstances(routingInstances))
        .recover(e -> bindFailure("traffic", config.listeners().traffic().host(), configured, e))
        .map(
            id -> {
              trafficPort = instances.get(0).actualPort();
              return null;
            });
  }

  private Future<Void> deployReverseProxy() {
    ReverseProxyConfig rp = config.listeners().serviceFabricReverseProxy();
    if (!rp.enabled()) {
      return Future.succeededFuture();
    }
    // a negative port is a random one shared by the servers asking for the same negative value:
    // -1 is the traffic listener's
    int port = rp.port() == 0 ? -2 : rp.port();
    List<ProxyVerticle> instances = new CopyOnWriteArrayList<>();
    return vertx
        .deployVerticle(
            () -> {
              ProxyVerticle v =
                  new ProxyVerticle(
                          config,
                          rp.host(),
                          port,
                          rp.https(),
                          rp.timeouts(),
                          rp.escapedSlashes(),
                          states,
                          observability.observer(),
                          ReverseProxyStage.ID,
                          ctx ->
                              Pipeline.routedBy(
                                  ctx,
                                  "a Service Fabric record",
                                  ReverseProxyStage.ID,
                                  new ReverseProxyStage(ctx.observer(), fabric, rp)))
                      .drainingWith(drainState)
                      .tracedWith(observability.tracing());
              instances.add(v);
              listeners.add(v);
              return v;
            },
            new DeploymentOptions().setInstances(routingInstances))
        .recover(e -> bindFailure("Service Fabric reverse-proxy", rp.host(), rp.port(), e))
        .map(
            id -> {
              reverseProxyPort = instances.get(0).actualPort();
              log.info(
                  "Service Fabric reverse-proxy listener on {}://{}:{}",
                  ListenerHttps.scheme(rp.https()),
                  rp.host(),
                  reverseProxyPort);
              return null;
            });
  }

  private Future<Void> startManagement() {
    management = new ManagementServer(vertx, config.listeners().management());
    observability.watch(watcher);
    observability.mount(management);
    new AdminApi(
            this::gatewayConfig,
            registry,
            backendStates,
            fabric,
            this::reconnect,
            new ConfigResource.Reloads(this::reload, reloader::generation, reloader::last))
        .withSources(sources)
        .mount(management.router());
    management.addCheck(
        new ReadinessCheck(
            "config",
            () ->
                ReadinessCheck.Result.ok(
                    "loaded from "
                        + config.source()
                        + " (generation "
                        + reloader.generation()
                        + ")")));
    management.addCheck(
        new ReadinessCheck(
            "listeners",
            () ->
                trafficPort > 0
                    ? ReadinessCheck.Result.ok("traffic bound on port " + trafficPort)
                    : ReadinessCheck.Result.notReady("traffic listener not bound")));
    // the gateway starts only with a first snapshot; an outage after that leaves it serving that
    // snapshot
    management.addCheck(
        new ReadinessCheck(
            "registry",
            () -> {
              Throwable err = watcher.lastError();
              if (err != null) {
                return ReadinessCheck.Result.degraded(
                    "registry unreachable: "
                        + err.getMessage()
                        + " (serving the snapshot of "
                        + watcher.lastSuccess()
                        + ")");
              }
              return ReadinessCheck.Result.ok(
                  watcher.current().size() + " records, refreshed " + watcher.lastSuccess());
            }));
    fabric.readinessChecks().forEach(management::addCheck);
    if (!sources.isEmpty()) {
      management.addCheck(sources.readiness());
    }
    observability.watchHealth(management, drainState::draining);
    return management
        .start()
        .recover(
            e ->
                bindFailure(
                    "management",
                    config.listeners().management().host(),
                    config.listeners().management().port(),
                    e))
        .mapEmpty();
  }

  /**
   * A listener that cannot bind (the port taken, a privileged port, an address not on this host)
   * ends the start with one line naming the listener and the address: the operator's fix is outside
   * the gateway. Other failures pass unchanged.
   */
  private static <T> Future<T> bindFailure(String listener, String host, int port, Throwable e) {
    IOException io = bindError(e);
    if (io == null) {
      return Future.failedFuture(e);
    }
    return Future.failedFuture(
        new StartFailure(
            "the "
                + listener
                + " listener could not bind "
                + host
                + ":"
                + port
                + ": "
                + (io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage())));
  }

  /**
   * The cause that says a listener's address could not be bound, or null: the JDK transport's
   * {@link BindException}, or the native transport's error from the {@code bind} call (Netty names
   * the call: "bind(..) failed: Address already in use"). Any other I/O failure of a listener's
   * start (a certificate, a socket option) is not about its address and is not reported as if it
   * were.
   */
  static IOException bindError(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof BindException b) {
        return b;
      }
      if (c instanceof IOException io
          && io.getMessage() != null
          && io.getMessage().startsWith("bind(")) {
        return io;
      }
    }
    return null;
  }
}
