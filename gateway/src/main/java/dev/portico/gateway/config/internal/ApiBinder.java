package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;

import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code apis} section: each API's prefix (normalized), backend (through {@link
 * BackendReferences}), operations (or an OpenAPI document's), Service Fabric attributes (through
 * {@link FabricRoutes}), retry, policies and WebSocket setting; ids and prefixes unique.
 */
final class ApiBinder extends Binding {

  private final OpenApiBinder openApi;
  private final RetryBinder retries;
  private final PolicyScopes policies;
  private final FabricRoutes fabricRoutes;

  ApiBinder(Binding parent, OpenApiBinder openApi, PolicyScopes policies) {
    super(parent);
    this.openApi = openApi;
    this.retries = new RetryBinder(parent);
    this.policies = policies;
    this.fabricRoutes = new FabricRoutes(parent);
  }

  List<ApiConfig> apis(JsonArray list, BackendReferences backends) {
    List<ApiConfig> out = new ArrayList<>();
    ConfigList ids = new ConfigList(problems, "API id");
    Map<String, String> paths = new HashMap<>();
    ConfigList.forEach(
        list,
        "apis",
        entry -> {
          String id = entry.string("id", null);
          String path = entry.string("path", null);
          if (id != null && path != null) {
            ApiConfig api = api(entry, id, path, ids, paths, backends);
            if (api != null) {
              out.add(api);
            }
          }
        });
    return out;
  }

  private ApiConfig api(
      ConfigList.Entry entry,
      String id,
      String path,
      ConfigList ids,
      Map<String, String> paths,
      BackendReferences backends) {
    String at = entry.at();
    JsonObject a = entry.json();
    JsonObject sbs = a.getValue("set-backend-service") instanceof JsonObject o ? o : null;
    // apis[].openapi: the document may name the backend (servers[0]) and gives the operations
    boolean imported = a.containsKey("openapi");
    OpenApiDefinition openapi =
        imported ? openApi.document(at + ".openapi", object(a, "openapi")) : null;
    String backend = backends.choose(at, entry.string("backend", null), sbs, !imported);
    if (imported && backend == null) {
      backend = openApi.backend(at + ".openapi", openapi, backends);
    }
    FabricAttributes sf = fabricRoutes.attributes(at + ".set-backend-service", sbs);
    ids.claim(entry.at("id"), id);
    String prefix = normalizePrefix(at + ".path", path);
    if (prefix != null) {
      String other = paths.putIfAbsent(prefix, id);
      if (other != null) {
        problem(at + ".path", "path '" + prefix + "' is already used by API '" + other + "'");
      }
    }
    List<OperationConfig> operations = new ArrayList<>();
    Set<String> routes = new HashSet<>();
    ConfigList operationIds = new ConfigList(problems, "operation id");
    JsonArray ops = array(a, "operations");
    String apiBackend = backend;
    ConfigList.forEach(
        ops,
        at + ".operations",
        o -> {
          OperationConfig op = operation(o, id, at, apiBackend, sf, routes, operationIds, backends);
          if (op != null) {
            operations.add(op);
          }
        });
    if (imported) {
      openApi.operations(at, openapi, ops, operations);
    }
    if (operations.isEmpty() && ops.isEmpty()) {
      fabricRoutes.check(at, at + ".set-backend-service", backend, sf, null, backends, false);
    } else if (FabricRoutes.hasAttributes(sbs)
        && backend != null
        && backends.isKnown(backend)
        && !backends.isFabric(backend)) {
      problem(
          at + ".set-backend-service",
          "sf-* attributes apply to Service Fabric backends; backend '"
              + backend
              + "' is not one (its url is no fabric:/ name)");
    }
    RetryConfig retry = retries.retry(at + ".retry", object(a, "retry"));
    PolicyScopeConfig apiPolicies =
        policies.scope(
            at + ".policies", a.getValue("policies"), a.getValue("inheritPolicies"), false);
    if (prefix == null || backend == null) {
      return null;
    }
    return new ApiConfig(
        id,
        prefix,
        backend,
        operations,
        retry,
        sf,
        apiPolicies,
        openapi,
        websocket(at + ".websocket", a.getValue("websocket")));
  }

  private OperationConfig operation(
      ConfigList.Entry entry,
      String apiId,
      String apiAt,
      String apiBackend,
      FabricAttributes apiSf,
      Set<String> routes,
      ConfigList operationIds,
      BackendReferences backends) {
    String oat = entry.at();
    JsonObject o = entry.json();
    String method = entry.string("method", null);
    String opPath = entry.string("path", null);
    if (method == null || opPath == null) {
      return null;
    }
    String opId = entry.string("id", method + " " + opPath);
    operationIds.claim(entry.at("id"), opId, " in API '" + apiId + "'");
    PathTemplate template = null;
    try {
      template = PathTemplate.parse(opPath);
      if (!routes.add(method + " " + template.canonical())) {
        problem(oat, "duplicate operation " + method + " " + opPath + " in API '" + apiId + "'");
      }
    } catch (IllegalArgumentException e) {
      problem(oat + ".path", e.getMessage());
    }
    JsonObject opSbs = o.getValue("set-backend-service") instanceof JsonObject x ? x : null;
    String opBackend = backends.choose(oat, entry.string("backend", null), opSbs, false);
    FabricAttributes opSf = fabricRoutes.attributes(oat + ".set-backend-service", opSbs);
    OperationConfig op =
        new OperationConfig(
            opId,
            method,
            opPath,
            opBackend,
            opSf,
            policies.scope(
                oat + ".policies", o.getValue("policies"), o.getValue("inheritPolicies"), false),
            websocket(oat + ".websocket", o.getValue("websocket")),
            Boolean.FALSE.equals(o.getValue("websocket")));
    if (template != null) {
      boolean own = op.overridesBackendService();
      fabricRoutes.check(
          oat,
          own ? oat + ".set-backend-service" : apiAt + ".set-backend-service",
          opBackend != null ? opBackend : apiBackend,
          own ? opSf : apiSf,
          template,
          backends,
          !own);
    }
    return op;
  }

  /**
   * {@code websocket} of an API or operation: {@code true}, {@code false} or {@code { idleTimeout
   * }} (the schema's default when not given); {@code null}: not set.
   */
  private WebSocketConfig websocket(String at, Object value) {
    if (value instanceof JsonObject o) {
      return sections.bind(o, at, WebSocketConfig.class);
    }
    return Boolean.TRUE.equals(value) ? WebSocketConfig.DEFAULT : null;
  }

  /** An API's path as a plain, normalized prefix without a trailing slash; null after a problem. */
  private String normalizePrefix(String at, String path) {
    if (!path.startsWith("/")) {
      problem(at, "must start with '/'");
      return null;
    }
    if (path.contains("?") || path.contains("#") || path.contains("{") || path.contains("*")) {
      problem(
          at,
          "an API path is a plain prefix: no query, fragment, template or wildcard (use operations)");
      return null;
    }
    if (path.contains("//")
        || path.contains("/./")
        || path.contains("/../")
        || path.endsWith("/.")
        || path.endsWith("/..")) {
      problem(at, "must be a normalized path (no empty, '.' or '..' segments)");
      return null;
    }
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
