package dev.portico.gateway.state;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.backend.PoolBackend;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.SingleBackend;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.TargetSelector;
import dev.portico.gateway.backend.Targets;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.routing.ApiTable;
import dev.portico.gateway.routing.RoutePolicies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the hot path reads, in one immutable value: the API table, the compiled backends, the
 * registry snapshot and, per Single or Pool backend, its current endpoints with their balancers.
 * (Service Fabric backends resolve through the fabric index, another immutable value swapped
 * atomically, see {@code FabricRuntime}.) A change of configuration or registry builds a new state
 * off the hot path; {@link RoutingStateHolder} swaps it atomically. Breakers and in-flight counts
 * live in {@link BackendStates} and survive the swap. A registry change rebuilds only what depends
 * on the services that changed ({@link #withRegistry}).
 */
public final class RoutingState implements TargetSelector {

  private static final Endpoint[] NONE = new Endpoint[0];

  /**
   * What a configuration compiles to: shared by every state of that configuration, whatever the
   * registry.
   */
  private record Compiled(
      ApiTable apis,
      Map<String, Backend> backends,
      BackendStates states,
      Map<String, List<SingleBackend>> singlesByService,
      Map<SingleBackend, List<PoolBackend>> poolsByMember,
      boolean[] countsInFlight) {

    /** Whether a least-requests balancer reads the requests in flight on {@code s}'s targets. */
    boolean countsInFlight(SingleBackend s) {
      return countsInFlight[s.slot()];
    }
  }

  private final Compiled compiled;
  private final RegistrySnapshot registry;

  /**
   * By {@link SingleBackend#slot()}: one array read on the request path (a hash map of 10,000
   * backends cost cache misses on its table and nodes), and a registry change copies the array.
   */
  private final Targets[] targets;

  private final Map<PoolBackend, Targets.Pool> pools;

  private RoutingState(
      Compiled compiled,
      RegistrySnapshot registry,
      Targets[] targets,
      Map<PoolBackend, Targets.Pool> pools) {
    this.compiled = compiled;
    this.registry = registry;
    this.targets = targets;
    this.pools = pools;
  }

  public static RoutingState compile(
      GatewayConfig config, RegistrySnapshot registry, BackendStates states) {
    return compile(config, registry, states, RoutePolicies.NONE);
  }

  /**
   * The state of {@code config} with the routes' policies compiled beforehand ({@link
   * RoutePolicies#compile}).
   */
  public static RoutingState compile(
      GatewayConfig config,
      RegistrySnapshot registry,
      BackendStates states,
      RoutePolicies policies) {
    return compile(config, registry, states, policies, null);
  }

  /**
   * As above, routes to Service Fabric backends resolving through {@code fabric} ({@code null}:
   * such routes serve no request, as in a state compiled for tests of the Single and Pool kinds).
   */
  public static RoutingState compile(
      GatewayConfig config,
      RegistrySnapshot registry,
      BackendStates states,
      RoutePolicies policies,
      FabricRuntime fabric) {
    Map<String, SingleBackend> singles = new LinkedHashMap<>();
    Map<String, Backend> backends = new LinkedHashMap<>();
    // Singles first: pools refer to them
    for (BackendConfig b : config.backends()) {
      if (!(b instanceof PoolBackendConfig)) {
        backends.put(b.id(), Backend.compile(b, singles));
      }
    }
    for (BackendConfig b : config.backends()) {
      if (b instanceof PoolBackendConfig) {
        backends.put(b.id(), Backend.compile(b, singles));
      }
    }
    // only services a Single backend routes to: a registry full of Service Fabric replica records
    // (resolved through the fabric index instead) costs nothing here
    Map<String, List<SingleBackend>> byService = new HashMap<>();
    Map<SingleBackend, List<PoolBackend>> byMember = new HashMap<>();
    // in-flight requests are counted only where a least-requests balancer reads them: the
    // backend's own, or that of a pool it is a member of
    boolean[] counts = new boolean[singles.size()];
    for (Backend b : backends.values()) {
      if (b instanceof SingleBackend s) {
        if (s.service() != null) {
          byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
        }
        counts[s.slot()] |= leastRequests(s.loadBalancing());
      }
      if (b instanceof PoolBackend p) {
        for (SingleBackend m : p.members()) {
          byMember.computeIfAbsent(m, k -> new ArrayList<>()).add(p);
          counts[m.slot()] |= leastRequests(p.loadBalancing());
        }
      }
    }
    Compiled compiled =
        new Compiled(
            ApiTable.build(config.apis(), backends, policies, fabric),
            Map.copyOf(backends),
            states,
            byService,
            byMember,
            counts);
    // a service's endpoints are made once and shared by the backends routing to it; they live in
    // those backends' targets only (no map of every service to copy at each registry change)
    Targets[] targets = new Targets[singles.size()];
    for (Map.Entry<String, List<SingleBackend>> e : byService.entrySet()) {
      Endpoint[] eps = endpoints(registry, e.getKey());
      for (SingleBackend s : e.getValue()) {
        targets[s.slot()] = Targets.of(s, eps, states, compiled.countsInFlight(s));
      }
    }
    for (SingleBackend s : singles.values()) {
      if (s.fixedEndpoint() != null) {
        targets[s.slot()] =
            Targets.of(s, new Endpoint[] {s.fixedEndpoint()}, states, compiled.countsInFlight(s));
      } else if (targets[s.slot()] == null) {
        targets[s.slot()] = Targets.of(s, NONE, states, compiled.countsInFlight(s));
      }
    }
    Map<PoolBackend, Targets.Pool> pools = new HashMap<>();
    for (Backend b : backends.values()) {
      if (b instanceof PoolBackend p) {
        pools.put(p, Targets.pool(p, s -> targets[s.slot()]));
      }
    }
    return new RoutingState(compiled, registry, targets, pools);
  }

  private static boolean leastRequests(LoadBalancingConfig lb) {
    return lb != null && lb.strategy() == LoadBalancingConfig.Strategy.LEAST_REQUESTS;
  }

  /**
   * The same configuration over a newer registry snapshot (breakers and balancer cursors are kept).
   * Incremental: only the backends routing to a service whose group changed (by identity, see
   * {@link RegistrySnapshot}) get new targets, and only the pools holding them are rebuilt; every
   * other backend's targets are shared with this state.
   */
  public RoutingState withRegistry(RegistrySnapshot snapshot) {
    if (snapshot == registry) {
      return this;
    }
    List<String> changed = new ArrayList<>();
    for (String service : compiled.singlesByService().keySet()) {
      if (registry.service(service) != snapshot.service(service)) {
        changed.add(service);
      }
    }
    if (changed.isEmpty()) {
      return new RoutingState(compiled, snapshot, targets, pools);
    }
    Targets[] nextTargets = targets.clone();
    Set<PoolBackend> poolsToRebuild = new HashSet<>();
    for (String service : changed) {
      Endpoint[] eps = endpoints(snapshot, service);
      for (SingleBackend s : compiled.singlesByService().get(service)) {
        nextTargets[s.slot()] = Targets.of(s, eps, compiled.states(), compiled.countsInFlight(s));
        poolsToRebuild.addAll(compiled.poolsByMember().getOrDefault(s, List.of()));
      }
    }
    Map<PoolBackend, Targets.Pool> nextPools = pools;
    if (!poolsToRebuild.isEmpty()) {
      nextPools = new HashMap<>(pools);
      for (PoolBackend p : poolsToRebuild) {
        nextPools.put(p, Targets.pool(p, s -> nextTargets[s.slot()]));
      }
    }
    return new RoutingState(compiled, snapshot, nextTargets, nextPools);
  }

  private static Endpoint[] endpoints(RegistrySnapshot registry, String service) {
    List<ServiceInstance> up = registry.up(service);
    if (up.isEmpty()) {
      return NONE;
    }
    Endpoint[] out = new Endpoint[up.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Endpoint.of(up.get(i));
    }
    return out;
  }

  public ApiTable apis() {
    return compiled.apis();
  }

  public Backend backend(String id) {
    return compiled.backends().get(id);
  }

  public Map<String, Backend> backends() {
    return compiled.backends();
  }

  public RegistrySnapshot registry() {
    return registry;
  }

  public BackendStates states() {
    return compiled.states();
  }

  /**
   * UP endpoints of a registry service some Single backend routes to, in a stable order; empty when
   * it has none.
   */
  public Endpoint[] endpoints(String service) {
    List<SingleBackend> routed = service == null ? null : compiled.singlesByService().get(service);
    if (routed == null) {
      return NONE;
    }
    Target[] all = targets[routed.get(0).slot()].all();
    Endpoint[] out = new Endpoint[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = all[i].endpoint();
    }
    return out;
  }

  @Override
  public Selection select(Backend backend, long now, List<Target> tried, String affinityToken) {
    if (backend instanceof SingleBackend s) {
      return targets(s).select(now, tried, affinityToken);
    }
    if (backend instanceof PoolBackend p) {
      return pools.get(p).select(now, tried, affinityToken);
    }
    throw new IllegalArgumentException(
        backend + " is resolved by partition key, not selected from the snapshot");
  }

  /** The current targets of a Single backend (for tests and diagnostics). */
  public Targets targets(SingleBackend backend) {
    int slot = backend.slot();
    Targets t = slot >= 0 && slot < targets.length ? targets[slot] : null;
    if (t == null || t.backend() != backend) {
      throw new IllegalArgumentException(
          backend + " is not a backend of this state's configuration");
    }
    return t;
  }
}
