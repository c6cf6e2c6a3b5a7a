package dev.portico.gateway.state;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.routing.ApiTable;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the hot path reads, in one immutable value: the API table, the compiled backends,
 * the registry snapshot and, per registry service, its UP endpoints. A change of configuration or
 * registry builds a new state off the hot path; {@link RoutingStateHolder} swaps it atomically.
 */
public final class RoutingState {

  private static final Endpoint[] NONE = new Endpoint[0];

  private final ApiTable apis;
  private final Map<String, Backend> backends;
  private final RegistrySnapshot registry;
  private final Map<String, Endpoint[]> serviceEndpoints;

  private RoutingState(ApiTable apis, Map<String, Backend> backends, RegistrySnapshot registry) {
    this.apis = apis;
    this.backends = backends;
    this.registry = registry;
    Map<String, Endpoint[]> endpoints = new HashMap<>();
    registry.services().forEach((name, group) -> {
      List<ServiceInstance> up = group.up();
      endpoints.put(name, up.stream().map(Endpoint::of).toArray(Endpoint[]::new));
    });
    this.serviceEndpoints = Map.copyOf(endpoints);
  }

  public static RoutingState compile(GatewayConfig config, RegistrySnapshot registry) {
    Map<String, Backend> backends = new LinkedHashMap<>();
    for (BackendConfig b : config.backends()) {
      backends.put(b.id(), Backend.compile(b));
    }
    return new RoutingState(ApiTable.build(config.apis(), backends), Map.copyOf(backends), registry);
  }

  /** The same configuration over a newer registry snapshot (balancer state is kept). */
  public RoutingState withRegistry(RegistrySnapshot snapshot) {
    return new RoutingState(apis, backends, snapshot);
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

  /** UP endpoints of a registry service, in a stable order; empty when it has none. */
  public Endpoint[] endpoints(String service) {
    Endpoint[] e = serviceEndpoints.get(service);
    return e == null ? NONE : e;
  }
}
