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
import dev.portico.gateway.backend.Targets;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.routing.ApiTable;
import dev.portico.gateway.routing.RoutePolicies;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the hot path reads, in one immutable value: the API table, the compiled backends,
 * the registry snapshot and, per Single or Pool backend, its current endpoints with their
 * balancers. (Service Fabric backends resolve through the fabric index, another immutable value
 * swapped atomically, see {@code FabricRuntime}.) A change of
 * configuration or registry builds a new state off the hot path; {@link RoutingStateHolder}
 * swaps it atomically. Breakers and in-flight counts live in {@link BackendStates} and survive
 * the swap.
 */
public final class RoutingState {

  private static final Endpoint[] NONE = new Endpoint[0];

  private final ApiTable apis;
  private final Map<String, Backend> backends;
  private final RegistrySnapshot registry;
  private final BackendStates states;
  private final Map<String, Endpoint[]> serviceEndpoints;
  private final Map<SingleBackend, Targets> targets = new HashMap<>();
  private final Map<PoolBackend, Targets.Pool> pools = new HashMap<>();

  private RoutingState(ApiTable apis, Map<String, Backend> backends, RegistrySnapshot registry, BackendStates states) {
    this.apis = apis;
    this.backends = backends;
    this.registry = registry;
    this.states = states;
    // only services a Single backend routes to: a registry full of Service Fabric replica records
    // (resolved through the fabric index instead) costs nothing here
    Map<String, Endpoint[]> endpoints = new HashMap<>();
    for (Backend b : backends.values()) {
      if (b instanceof SingleBackend s && s.service() != null && !endpoints.containsKey(s.service())) {
        List<ServiceInstance> up = registry.up(s.service());
        endpoints.put(s.service(), up.stream().map(Endpoint::of).toArray(Endpoint[]::new));
      }
    }
    this.serviceEndpoints = Map.copyOf(endpoints);
    for (Backend b : backends.values()) {
      if (b instanceof SingleBackend s) {
        Endpoint[] eps = s.fixedEndpoint() != null ? new Endpoint[] {s.fixedEndpoint()} : endpoints(s.service());
        targets.put(s, Targets.of(s, eps, states));
      }
    }
    for (Backend b : backends.values()) {
      if (b instanceof PoolBackend p) {
        pools.put(p, Targets.pool(p, targets));
      }
    }
  }

  public static RoutingState compile(GatewayConfig config, RegistrySnapshot registry, BackendStates states) {
    return compile(config, registry, states, RoutePolicies.NONE);
  }

  /** The state of {@code config} with the routes' policies compiled beforehand ({@link RoutePolicies#compile}). */
  public static RoutingState compile(GatewayConfig config, RegistrySnapshot registry, BackendStates states,
                                     RoutePolicies policies) {
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
    return new RoutingState(ApiTable.build(config.apis(), backends, policies), Map.copyOf(backends), registry, states);
  }

  /** The same configuration over a newer registry snapshot (breakers and balancer cursors are kept). */
  public RoutingState withRegistry(RegistrySnapshot snapshot) {
    return new RoutingState(apis, backends, snapshot, states);
  }

  public ApiTable apis() {
    return apis;
  }

  public Backend backend(String id) {
    return backends.get(id);
  }

  public Map<String, Backend> backends() {
    return backends;
  }

  public RegistrySnapshot registry() {
    return registry;
  }

  public BackendStates states() {
    return states;
  }

  /** UP endpoints of a registry service some Single backend routes to, in a stable order; empty when it has none. */
  public Endpoint[] endpoints(String service) {
    Endpoint[] e = service == null ? null : serviceEndpoints.get(service);
    return e == null ? NONE : e;
  }

  /**
   * Chooses where a request goes: a pool member by priority and weight, then an endpoint of it,
   * skipping tripped endpoints and, when possible, those this request already tried. The chosen
   * endpoint's breaker has granted a permit.
   *
   * @param tried          targets already tried by this request (retries go elsewhere when they can)
   * @param affinityToken  the session affinity cookie's value, or {@code null}
   */
  public Selection select(Backend backend, long now, List<Target> tried, String affinityToken) {
    if (backend instanceof SingleBackend s) {
      return targets.get(s).select(now, tried, affinityToken);
    }
    if (backend instanceof PoolBackend p) {
      return pools.get(p).select(now, tried, affinityToken);
    }
    throw new IllegalArgumentException(backend + " is resolved by partition key, not selected from the snapshot");
  }

  /** The current targets of a Single backend (for tests and diagnostics). */
  public Targets targets(SingleBackend backend) {
    return targets.get(backend);
  }
}
