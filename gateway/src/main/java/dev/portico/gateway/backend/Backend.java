package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import java.util.Map;

/**
 * A backend compiled for the hot path. A closed set: a {@link SingleBackend} (a URL or a registry
 * service), a {@link PoolBackend} (Single members with priority and weight), a {@link
 * FabricBackend} (a Service Fabric service, resolved per request by partition key).
 */
public sealed interface Backend permits SingleBackend, PoolBackend, FabricBackend {

  String id();

  /** Name of the session affinity cookie, or {@code null} when requests are not sticky. */
  String affinityCookie();

  /**
   * How requests reach this backend's endpoints; {@code null} for a pool, whose members each have
   * their own.
   */
  default Upstream upstream() {
    return null;
  }

  /**
   * Compiles a configured backend, of the kind of its configuration's variant; {@code singles}
   * collects the Single backends for pools, each numbered by its place in it ({@link
   * SingleBackend#slot()}).
   */
  static Backend compile(BackendConfig config, Map<String, SingleBackend> singles) {
    if (config instanceof SingleBackendConfig single) {
      SingleBackend known = singles.get(single.id());
      if (known != null) {
        return known;
      }
      SingleBackend made = new SingleBackend(single, singles.size());
      singles.put(single.id(), made);
      return made;
    }
    if (config instanceof PoolBackendConfig pool) {
      return new PoolBackend(pool, singles);
    }
    return new FabricBackend((FabricBackendConfig) config);
  }
}
