package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.fabric.FabricName;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsConfig;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The references from APIs and operations to backends: {@code backend}, or set-backend-service's
 * {@code backend-id} or {@code base-url}. An unknown id is a problem where it is given; a base-url
 * is a configured backend with that URL or an implicit backend of its own (APIM's automatic backend
 * matching), added to the backends.
 */
final class BackendReferences extends Binding {

  /** Backend ids defined: also those of backends that failed to bind (reported once, there). */
  private final Set<String> ids;

  private final List<BackendConfig> backends;
  private final Listeners listeners;

  /**
   * @param backends the bound backends, to which implicit ones are added
   */
  BackendReferences(
      Binding parent, Set<String> configured, List<BackendConfig> backends, Listeners listeners) {
    super(parent);
    this.ids = new HashSet<>(configured);
    backends.forEach(b -> ids.add(b.id()));
    this.backends = backends;
    this.listeners = listeners;
  }

  /**
   * The backend one level (API or operation) names; they say the same thing, so at most one of
   * {@code backend}, {@code backend-id} and {@code base-url} is given (exactly one on an API, where
   * {@code required}).
   */
  String choose(String at, String backend, JsonObject sbs, boolean required) {
    String backendId = sbs == null ? null : string(sbs, "backend-id", null);
    String baseUrl = sbs == null ? null : string(sbs, "base-url", null);
    int given = (backend != null ? 1 : 0) + (backendId != null ? 1 : 0) + (baseUrl != null ? 1 : 0);
    if (given > 1) {
      problem(
          at,
          "names its backend more than once ('backend', set-backend-service 'backend-id' and 'base-url'"
              + " say the same thing): give one");
    }
    if (backend != null) {
      check(at + ".backend", backend);
      return backend;
    }
    if (backendId != null) {
      check(at + ".set-backend-service.backend-id", backendId);
      return backendId;
    }
    if (baseUrl != null) {
      return implicit(
          at + ".set-backend-service.base-url",
          namedValues.substitute(at + ".set-backend-service.base-url", baseUrl));
    }
    if (required) {
      problem(
          at + ".backend",
          "required: give 'backend' (or set-backend-service with 'backend-id' or 'base-url')");
    }
    return null;
  }

  /** The backend of {@code url}: a configured one with that URL, or a new implicit one. */
  String implicit(String at, String url) {
    if (FabricName.isFabricUrl(url)) {
      problem(
          at,
          "a Service Fabric service is reached through a backend whose url is its fabric:/ name (with its"
              + " serviceFabricCluster settings): name that backend in backend-id");
      return null;
    }
    BackendTarget.FixedUrl fixed = absoluteUrl(at, url);
    if (fixed == null) {
      return null;
    }
    if (loopsBack(at, fixed, listeners)) {
      return null;
    }
    for (BackendConfig b : backends) {
      if (b instanceof SingleBackendConfig s
          && s.target() instanceof BackendTarget.FixedUrl f
          && f.ssl() == fixed.ssl()
          && f.host().equalsIgnoreCase(fixed.host())
          && f.port() == fixed.port()
          && f.basePath().equals(fixed.basePath())) {
        return b.id(); // APIM's automatic backend matching: that backend's settings apply
      }
    }
    String id = (fixed.ssl() ? "https://" : "http://") + fixed.authority() + fixed.basePath();
    if (ids.add(id)) {
      backends.add(
          new SingleBackendConfig(
              id,
              "set-backend-service base-url " + id,
              fixed,
              Credentials.NONE,
              TlsConfig.DEFAULT,
              Timeouts.DEFAULT,
              CircuitBreakerConfig.DEFAULT,
              LoadBalancingConfig.DEFAULT,
              BackendProtocol.HTTP1));
    }
    return id;
  }

  private void check(String at, String ref) {
    if (!ids.contains(ref)) {
      problem(
          at,
          "unknown backend '"
              + ref
              + "'"
              + (ids.isEmpty()
                  ? " (no backends are defined)"
                  : " (defined: " + String.join(", ", ids.stream().sorted().toList()) + ")"));
    }
  }

  /** Whether {@code id} is a backend that bound. */
  boolean isKnown(String id) {
    return backends.stream().anyMatch(b -> b.id().equals(id));
  }

  /** Whether {@code id} is a bound Service Fabric backend. */
  boolean isFabric(String id) {
    for (BackendConfig b : backends) {
      if (b.id().equals(id)) {
        return isFabric(b);
      }
    }
    return false;
  }

  static boolean isFabric(BackendConfig b) {
    return b instanceof SingleBackendConfig s && s.target() instanceof BackendTarget.ServiceFabric;
  }
}
