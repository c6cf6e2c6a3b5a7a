package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.SingleBackendConfig;

/**
 * A backend compiled for the hot path. A closed set: a {@link SingleBackend} (a URL or a registry
 * service), a {@link PoolBackend} (Single members with priority and weight).
 */
public sealed interface Backend permits SingleBackend, PoolBackend {

  String id();

  /** Name of the session affinity cookie, or {@code null} when requests are not sticky. */
  String affinityCookie();

  static Backend compile(BackendConfig config, java.util.Map<String, SingleBackend> singles) {
    if (config instanceof SingleBackendConfig single) {
      return singles.computeIfAbsent(single.id(), id -> new SingleBackend(single));
    }
    if (config instanceof PoolBackendConfig pool) {
      return new PoolBackend(pool, singles);
    }
    throw new IllegalArgumentException("unsupported backend kind: " + config.getClass().getSimpleName());
  }
}
