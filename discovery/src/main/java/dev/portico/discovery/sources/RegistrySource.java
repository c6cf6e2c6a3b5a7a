package dev.portico.discovery.sources;

import dev.portico.discovery.Registry;
import dev.portico.discovery.sources.internal.DnsSrvSource;
import dev.portico.discovery.sources.internal.KubernetesSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Imports the instances of a service from a system teams already run (DNS SRV, Kubernetes) into the
 * registry: publishes what appears, updates what changes and unpublishes what leaves. The
 * registry's watcher turns those writes into snapshots like any other write, off the hot path.
 *
 * <p>A source never empties the registry because it cannot read its system: after a timeout, a
 * server failure or a lost connection the last known instances stay published (their breakers guard
 * them) and the source retries; only an answer that says "none" removes them.
 */
public interface RegistrySource {

  static RegistrySource create(Vertx vertx, Registry registry, SourceOptions options) {
    if (options instanceof DnsSrvOptions dns) {
      return new DnsSrvSource(vertx, registry, dns);
    }
    return new KubernetesSource(vertx, registry, (KubernetesOptions) options);
  }

  SourceOptions options();

  /**
   * Starts reading; completes at once (the first sync happens in the background, see {@link
   * #status()}).
   */
  Future<Void> start();

  /**
   * Stops reading. With {@code unpublish} the source's records are removed as well (a registry
   * private to this process); without, they stay for the other gateways sharing the registry.
   */
  Future<Void> stop(boolean unpublish);

  SourceStatus status();
}
