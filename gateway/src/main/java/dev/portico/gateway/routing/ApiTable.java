package dev.portico.gateway.routing;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.FabricBackend;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.fabric.FabricChoice;
import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.openapi.OperationValidation;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.routing.internal.PrefixIndex;
import dev.portico.gateway.target.TargetChoice;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The precomputed API matcher: the longest API prefix wins (on a segment boundary), then, for an
 * API with operations, the most specific matching operation. The prefixes are indexed ({@link
 * PrefixIndex}): finding the API costs time proportional to the path's length, not to the number of
 * APIs. Immutable; built off the hot path.
 */
public final class ApiTable {

  private final Api[] apis;
  private final PrefixIndex<Api> index;

  private ApiTable(Api[] apis, PrefixIndex<Api> index) {
    this.apis = apis;
    this.index = index;
  }

  public static ApiTable build(List<ApiConfig> configs, Map<String, Backend> backends) {
    return build(configs, backends, RoutePolicies.NONE, null);
  }

  /**
   * The table with each route's compiled policies from {@code policies}, its targets resolved by
   * {@code fabric} when its backend is a Service Fabric one ({@code null}: no such route serves
   * requests).
   */
  public static ApiTable build(
      List<ApiConfig> configs,
      Map<String, Backend> backends,
      RoutePolicies policies,
      FabricRuntime fabric) {
    List<Api> list = new ArrayList<>();
    for (ApiConfig c : configs) {
      Backend def = require(backends, c.backend());
      String prefix = c.path().equals("/") ? "" : c.path();
      RetryPolicy retry = new RetryPolicy(c.retry());
      List<Operation> ops = new ArrayList<>();
      for (OperationConfig o : c.operations()) {
        Backend b = o.backend() == null ? def : require(backends, o.backend());
        HttpMethod method = o.method().equals("*") ? null : HttpMethod.valueOf(o.method());
        PathTemplate template = PathTemplate.parse(o.path());
        // an operation with its own backend or set-backend-service replaces the API's as a whole
        FabricAttributes sf = o.overridesBackendService() ? o.fabric() : c.fabric();
        ops.add(
            new Operation(
                method,
                template,
                new Route(
                    c.id(),
                    o.id(),
                    b,
                    prefix.length(),
                    retry,
                    targets(b, sf, template, retry, fabric),
                    policies.chain(c.id(), o.id()),
                    template,
                    OperationValidation.of(c.openapi(), o.id(), template),
                    o.websocketWithin(c.websocket()),
                    new ObserverSlot())));
      }
      ops.sort(Comparator.comparing(Operation::template));
      // the API-level route serves an API without operations: no template parameters to bind
      Route apiRoute =
          new Route(
              c.id(),
              null,
              def,
              prefix.length(),
              retry,
              c.operations().isEmpty() ? targets(def, c.fabric(), null, retry, fabric) : null,
              policies.chain(c.id(), null),
              null,
              null,
              c.websocket(),
              new ObserverSlot());
      list.add(new Api(c.id(), prefix, ops.toArray(new Operation[0]), apiRoute));
    }
    // in configuration order: of two APIs with the same prefix, the first wins
    PrefixIndex<Api> index = PrefixIndex.build(list.stream().map(Api::prefix).toList(), list);
    list.sort(Comparator.comparingInt((Api a) -> a.prefix.length()).reversed());
    return new ApiTable(list.toArray(new Api[0]), index);
  }

  /**
   * The one place that decides how a route's requests find their targets: the routing snapshot's
   * balancers (Single, Pool), or resolution by partition key (Service Fabric), with the attributes
   * of the nearest {@code set-backend-service} bound to the operation's template.
   */
  private static TargetChoice targets(
      Backend backend,
      FabricAttributes attributes,
      PathTemplate template,
      RetryPolicy retry,
      FabricRuntime fabric) {
    return backend instanceof FabricBackend f
        ? FabricChoice.of(f, attributes, template, retry.bufferBodyLimit(), fabric)
        : TargetChoice.SNAPSHOT;
  }

  /** The route for a request, or {@code null} when no API or no operation matches. */
  public Route match(HttpMethod method, String path) {
    Api api = api(path);
    if (api == null) {
      return null;
    }
    if (api.operations.length == 0) {
      return api.route;
    }
    for (Operation op : api.operations) {
      if ((op.method == null || op.method.equals(method))
          && op.template.matches(path, api.prefix.length())) {
        return op.route;
      }
    }
    return null;
  }

  /**
   * The API-level route (global and API policies, no operation) of the API whose prefix matches
   * {@code path}, or {@code null}: what a CORS preflight no operation matches is answered by, since
   * APIs rarely declare OPTIONS operations.
   */
  public Route apiRoute(String path) {
    Api api = api(path);
    return api == null ? null : api.route;
  }

  /** The id of the API whose prefix matches {@code path}, or {@code null}. For error details. */
  public String apiId(String path) {
    Api api = api(path);
    return api == null ? null : api.id;
  }

  private Api api(String path) {
    return index.longestMatch(path);
  }

  public List<String> prefixes() {
    return Arrays.stream(apis).map(a -> a.prefix.isEmpty() ? "/" : a.prefix).toList();
  }

  private static Backend require(Map<String, Backend> backends, String id) {
    Backend b = backends.get(id);
    if (b == null) {
      throw new IllegalArgumentException("unknown backend " + id);
    }
    return b;
  }

  private record Api(String id, String prefix, Operation[] operations, Route route) {}

  private record Operation(HttpMethod method, PathTemplate template, Route route) {}
}
