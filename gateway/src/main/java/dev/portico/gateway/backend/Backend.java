package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.SingleBackendConfig;

import java.util.Map;

/**
 * A backend compiled for the hot path. A closed set: a {@link SingleBackend} (a URL or a registry
 * service), a {@link PoolBackend} (Single members with priority and weight), a
 * {@link FabricBackend} (a Service Fabric service, resolved per request by partition key).
 */
public sealed interface Backend permits SingleBackend, PoolBackend, FabricBackend {

  String id();

  /** Name of the session affinity cookie, or {@code null} when requests are not sticky. */
  String affinityCookie();

  /**
   * How requests reach this backend's endpoints; {@code null} for a pool, whose members each
   * have their own.
   */
  default Upstream upstream() {
    return null;
  }

  /**
   * Compiles a configured backend. A {@code Single} backend is a {@link FabricBackend} when its URL
   * is a {@code fabric:/} name; {@code singles} collects the other Single backends for pools.
   */
  static Backend compile(BackendConfig config, Map<String, SingleBackend> singles) {
    if (config instanceof SingleBackendConfig single) {
      if (single.target() instanceof BackendTarget.ServiceFabric) {
        return new FabricBackend(single);
      }
      return singles.computeIfAbsent(single.id(), id -> new SingleBackend(single));
    }
    if (config instanceof PoolBackendConfig pool) {
      return new PoolBackend(pool, singles);
    }
    throw new IllegalArgumentException("unsupported backend kind: " + config.getClass().getSimpleName());
  }
}
