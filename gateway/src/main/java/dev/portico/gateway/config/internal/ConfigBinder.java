package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.bool;
import static dev.portico.discovery.json.LenientJson.integer;
import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.objectAt;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.config.AdminConfig;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.DemoConfig;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.PolicySettings;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.RegistryConfig;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.config.ServiceFabricCluster;
import dev.portico.gateway.config.ShutdownConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsCertificate;
import dev.portico.gateway.config.TlsConfig;
import dev.portico.gateway.config.UpstreamConfig;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.document.SchemaCheck;
import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.expression.ResolveCondition;
import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiSource;
import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a raw configuration (already checked against the schema) into a {@link GatewayConfig},
 * checking what a schema cannot: durations, URLs, references between sections, duplicate ids, named
 * values, and backends that would loop back into this gateway. It is tolerant of values the schema
 * already rejected (they fall back to defaults) so that one run reports every problem.
 */
final class ConfigBinder extends Binding {

  private final JsonObject raw;
  private final RegistryBinder registry = new RegistryBinder(this);
  private final FabricClusters fabricClusters = new FabricClusters(this);
  private final ObservabilityBinder observability = new ObservabilityBinder(this);
  private final BreakerBinder breakers = new BreakerBinder(this);
  private final ListenerBinder listeners = new ListenerBinder(this, breakers);

  public ConfigBinder(
      JsonObject raw,
      Map<String, String> env,
      Map<String, String> origins,
      LocalAddresses localAddresses) {
    super(new Problems(origins), env, localAddresses);
    this.raw = raw;
  }

  public List<SchemaCheck.FieldProblem> problems() {
    return problems.list();
  }

  // --- apis[].openapi: the importer the binder reads documents with ------------------------
  private OpenApiLoading openApi;

  /**
   * Where {@code apis[].openapi} documents are read from; without it an API naming one is a
   * problem.
   */
  public ConfigBinder openApi(OpenApiLoading loading) {
    this.openApi = loading;
    return this;
  }

  // --- end apis[].openapi ------------------------------------------------------------------

  public GatewayConfig bind(String source) {
    JsonObject gw = object(raw, "gateway");
    String gatewayId = string(gw, "id", null);
    boolean gatewayIdConfigured = gatewayId != null;
    if (gatewayId == null) {
      gatewayId =
          "portico-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }
    // listeners and backends refer to named values and certificates
    namedValues.bind(array(raw, "namedValues"));
    certificates.bind(array(raw, "certificates"));
    Listeners listeners = this.listeners.listeners(object(raw, "listeners"));
    UpstreamConfig upstream = upstream(object(raw, "upstream"));
    RegistryConfig registry = this.registry.registry(object(raw, "registry"), listeners);
    List<BackendConfig> backends = backends(array(raw, "backends"), listeners);
    // may add the implicit backends of set-backend-service base-urls
    List<ApiConfig> apis = apis(array(raw, "apis"), backends, listeners);
    DemoConfig demoConfig = sections.bind(object(raw, "demo"), "demo", "demo", DemoConfig.class);
    // one event loop per core, like nginx's worker_processes auto: more only adds context switches
    int eventLoops = integer(gw, "eventLoops", Runtime.getRuntime().availableProcessors());
    PolicyScopeConfig globalPolicies = policies("policies", raw.getValue("policies"), null, true);
    PolicySettings policySettings =
        sections.bind(
            object(raw, "policySettings"),
            "policySettings",
            "policySettings",
            PolicySettings.class);
    return new GatewayConfig(
        source,
        gatewayId,
        eventLoops,
        listeners,
        upstream,
        registry,
        namedValues.values(),
        FabricBackendConfig.variants(backends),
        apis,
        demoConfig,
        observability.metrics(object(raw, "metrics")),
        observability.accessLog(object(raw, "accessLog")),
        admin(object(raw, "admin")),
        gatewayIdConfigured,
        bool(gw, "nativeTransport", false),
        shutdown(object(gw, "shutdown")),
        globalPolicies,
        policySettings,
        observability.tracing(object(raw, "tracing")));
  }

  private ShutdownConfig shutdown(JsonObject s) {
    // no delay (PT0S, the schema's default) is a valid choice: the listeners close at the signal
    ShutdownConfig bound =
        sections.bind(s, "gateway.shutdown", "gateway.shutdown", ShutdownConfig.class);
    Duration delay = bound.delay();
    Duration grace = bound.gracePeriod();
    if (delay.compareTo(grace) >= 0) {
      problem(
          s.containsKey("delay") ? "gateway.shutdown.delay" : "gateway.shutdown.gracePeriod",
          "the delay ("
              + delay
              + ") must be shorter than the grace period ("
              + grace
              + "), which counts from the signal");
    }
    return new ShutdownConfig(delay, grace);
  }

  // --- sections -------------------------------------------------------------------------------

  private UpstreamConfig upstream(JsonObject u) {
    return sections.bind(u, "upstream", "upstream", UpstreamConfig.class);
  }

  private AdminConfig admin(JsonObject a) {
    String token = string(a, "token", null);
    if (token == null) {
      return AdminConfig.OFF;
    }
    token = namedValues.substitute("admin.token", token);
    if (token.strip().length() < AdminConfig.MIN_TOKEN_LENGTH) {
      problem(
          "admin.token",
          "must be at least "
              + AdminConfig.MIN_TOKEN_LENGTH
              + " characters: the admin API can"
              + " take endpoints out of service (use a random secret, e.g. a named value from the environment)");
      return AdminConfig.OFF;
    }
    return new AdminConfig(token.strip());
  }

  private List<BackendConfig> backends(JsonArray list, Listeners listeners) {
    List<BackendConfig> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Map<String, JsonObject> pools = new LinkedHashMap<>();
    Map<String, String> poolPaths = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "backends[" + i + "]";
      JsonObject b = objectAt(list, i);
      String id = string(b, "id", null);
      if (id == null) {
        continue;
      }
      if (!ids.add(id)) {
        problem(at + ".id", "duplicate backend id '" + id + "'");
        continue;
      }
      if ("Pool".equals(string(b, "type", "Single"))) {
        for (String k :
            List.of("url", "protocol", "credentials", "tls", "timeouts", "circuitBreaker")) {
          if (b.containsKey(k)) {
            problem(
                at + "." + k,
                "a Pool backend has no " + k + ": its members (Single backends) carry it");
          }
        }
        if (!b.containsKey("pool")) {
          problem(at + ".pool", "required for a Pool backend");
          continue;
        }
        pools.put(id, b);
        poolPaths.put(id, at);
        continue;
      }
      if (b.containsKey("pool")) {
        problem(at + ".pool", "only a backend of type Pool has members");
      }
      String url = string(b, "url", null);
      if (url == null) {
        problem(at + ".url", "required for a Single backend");
        continue;
      }
      url = namedValues.substitute(at + ".url", url);
      BackendTarget target = target(at + ".url", url, listeners);
      if (target instanceof BackendTarget.ServiceFabric) {
        if (b.containsKey("loadBalancing")) {
          problem(
              at + ".loadBalancing",
              "a Service Fabric backend is not balanced: the partition key and"
                  + " sf-replica-type choose the replica");
        }
        target =
            new BackendTarget.ServiceFabric(
                ((BackendTarget.ServiceFabric) target).service(),
                fabricClusters.cluster(
                    at + ".serviceFabricCluster", object(b, "serviceFabricCluster")));
        fabricClusters.pending(out.size(), at, id, object(b, "serviceFabricCluster"));
      } else if (b.containsKey("serviceFabricCluster")) {
        problem(
            at + ".serviceFabricCluster",
            "applies only to a backend whose url is a fabric:/App/Service name");
      }
      Credentials credentials = credentials(at + ".credentials", object(b, "credentials"));
      if (credentials.certificate() != null
          && target instanceof BackendTarget.FixedUrl f
          && !f.ssl()) {
        problem(
            at + ".credentials.certificateIds",
            "a client certificate is presented over https, and the url is http");
      }
      JsonObject tls = object(b, "tls");
      TlsConfig tlsConfig =
          new TlsConfig(
              bool(tls, "validateCertificateChain", true),
              bool(tls, "validateCertificateName", true));
      JsonObject t = object(b, "timeouts");
      Timeouts timeouts =
          new Timeouts(
              duration(t, "connect", at + ".timeouts.connect", Timeouts.DEFAULT.connect()),
              duration(t, "response", at + ".timeouts.response", Timeouts.DEFAULT.response()));
      CircuitBreakerConfig breaker =
          b.containsKey("circuitBreaker")
              ? breakers.breaker(at + ".circuitBreaker", object(b, "circuitBreaker"))
              : CircuitBreakerConfig.DEFAULT;
      LoadBalancingConfig lb = loadBalancing(object(b, "loadBalancing"));
      if (target != null) {
        out.add(
            new SingleBackendConfig(
                id,
                string(b, "title", id),
                target,
                credentials,
                tlsConfig,
                timeouts,
                breaker,
                lb,
                backendProtocol(at, b)));
      }
    }
    fabricClusters.bindImporters(out);
    Map<String, BackendConfig> singles = new HashMap<>();
    out.forEach(b -> singles.put(b.id(), b));
    pools.forEach(
        (id, b) -> {
          String at = poolPaths.get(id);
          JsonArray services = array(object(b, "pool"), "services");
          List<PoolBackendConfig.Member> members = new ArrayList<>();
          Set<String> seen = new HashSet<>();
          for (int j = 0; j < services.size(); j++) {
            String mat = at + ".pool.services[" + j + "]";
            JsonObject m = objectAt(services, j);
            String mid = string(m, "id", null);
            if (mid == null) {
              continue;
            }
            if (!seen.add(mid)) {
              problem(mat + ".id", "backend '" + mid + "' is already a member of this pool");
            } else if (pools.containsKey(mid)) {
              problem(mat + ".id", "'" + mid + "' is a Pool: pools cannot be nested");
            } else if (!singles.containsKey(mid)) {
              problem(
                  mat + ".id",
                  "unknown backend '"
                      + mid
                      + "'"
                      + (singles.isEmpty()
                          ? ""
                          : " (Single backends: "
                              + String.join(", ", singles.keySet().stream().sorted().toList())
                              + ")"));
            } else if (isFabric(singles.get(mid))) {
              problem(
                  mat + ".id",
                  "'"
                      + mid
                      + "' is a Service Fabric backend: a pool balances interchangeable"
                      + " endpoints, a Service Fabric service is addressed by partition key; route to it directly");
            }
            members.add(
                new PoolBackendConfig.Member(
                    mid, integer(m, "priority", 0), integer(m, "weight", 1)));
          }
          out.add(
              new PoolBackendConfig(
                  id, string(b, "title", id), members, loadBalancing(object(b, "loadBalancing"))));
        });
    return out;
  }

  private LoadBalancingConfig loadBalancing(JsonObject lb) {
    LoadBalancingConfig.Strategy strategy =
        "leastRequests".equals(string(lb, "strategy", "roundRobin"))
            ? LoadBalancingConfig.Strategy.LEAST_REQUESTS
            : LoadBalancingConfig.Strategy.ROUND_ROBIN;
    return new LoadBalancingConfig(
        strategy, string(object(lb, "sessionAffinity"), "cookieName", null));
  }

  /**
   * Issue 14: {@code backends[].protocol} ({@code http}, {@code http1}: HTTP/1.1; {@code http2})
   * and {@code maxConcurrentStreams}.
   */
  private BackendProtocol backendProtocol(String at, JsonObject b) {
    boolean h2 = "http2".equals(string(b, "protocol", "http"));
    if (!h2 && b.containsKey("maxConcurrentStreams")) {
      problem(at + ".maxConcurrentStreams", "applies to protocol: http2 only");
    }
    return new BackendProtocol(
        h2 ? BackendProtocol.Version.HTTP2 : BackendProtocol.Version.HTTP1,
        integer(b, "maxConcurrentStreams", BackendProtocol.DEFAULT_MAX_CONCURRENT_STREAMS));
  }

  /**
   * Issue 14: {@code websocket} of an API or operation: {@code true}, {@code false} or {@code {
   * idleTimeout }}; {@code null}: not set.
   */
  private WebSocketConfig websocket(String at, Object value) {
    if (value instanceof JsonObject o) {
      return new WebSocketConfig(
          duration(o, "idleTimeout", at + ".idleTimeout", WebSocketConfig.DEFAULT_IDLE_TIMEOUT));
    }
    return Boolean.TRUE.equals(value) ? WebSocketConfig.DEFAULT : null;
  }

  private RetryConfig retry(String at, JsonObject r) {
    if (r.isEmpty()) {
      return RetryConfig.NONE;
    }
    Set<Integer> statuses = new HashSet<>();
    array(r, "statusCodes")
        .forEach(
            x -> {
              if (x instanceof Number n) {
                statuses.add(n.intValue());
              }
            });
    Set<String> reasons = new HashSet<>();
    array(r, "errorReasons")
        .forEach(
            x -> {
              if (x instanceof String str) {
                reasons.add(str);
              }
            });
    if (!r.containsKey("statusCodes") && !r.containsKey("errorReasons")) {
      reasons.addAll(Set.of("BackendConnectionFailure", "Timeout"));
    }
    Set<String> methods = new HashSet<>();
    array(r, "methods")
        .forEach(
            x -> {
              if (x instanceof String str) {
                methods.add(str);
              }
            });
    if (!r.containsKey("methods")) {
      methods.addAll(RetryConfig.IDEMPOTENT);
    }
    long limit = r.getValue("bufferBodyLimit") instanceof Number n ? n.longValue() : 0;
    for (String m : methods) {
      if (!RetryConfig.IDEMPOTENT.contains(m) && limit == 0) {
        problem(
            at + ".methods",
            m
                + " is not idempotent: it is retried only when its body is buffered;"
                + " set bufferBodyLimit above 0 or leave "
                + m
                + " out");
      }
    }
    JsonObject backoff = object(r, "backoff");
    Duration base = duration(backoff, "base", at + ".backoff.base", RetryConfig.NONE.backoffBase());
    Duration max = duration(backoff, "max", at + ".backoff.max", RetryConfig.NONE.backoffMax());
    if (base.compareTo(max) > 0) {
      problem(at + ".backoff", "base " + base + " is above max " + max);
    }
    JsonObject budget = object(r, "budget");
    double ratio =
        budget.getValue("ratio") instanceof Number n
            ? n.doubleValue()
            : RetryConfig.NONE.budgetRatio();
    return new RetryConfig(
        integer(r, "count", 0),
        statuses,
        reasons,
        methods,
        limit,
        base,
        max,
        ratio,
        integer(budget, "minPerSecond", RetryConfig.NONE.budgetMinPerSecond()),
        BreakerBinder.strings(array(r, "grpcStatuses")));
  }

  private BackendTarget target(String at, String url, Listeners listeners) {
    if (FabricName.isFabricUrl(url)) {
      try {
        return new BackendTarget.ServiceFabric(
            FabricName.parseService(url), ServiceFabricCluster.DEFAULT);
      } catch (InvalidFabricNameException e) {
        problem(at, e.getMessage());
        return null;
      }
    }
    if (url.contains("://") || url.contains(":/")) {
      BackendTarget.FixedUrl fixed = absoluteUrl(at, url);
      if (fixed != null && pointsAtSelf(fixed, listeners)) {
        problem(
            at,
            "points at this gateway's own traffic listener ("
                + fixed.authority()
                + "); requests would loop back into the gateway");
        return null;
      }
      return fixed;
    }
    if (!SERVICE_NAME.matcher(url).matches()) {
      problem(
          at,
          "'"
              + url
              + "' is neither an absolute http(s):// URL nor a registry service name"
              + " (letters, digits, '.', '_', '-')");
      return null;
    }
    return new BackendTarget.RegistryService(url);
  }

  private Credentials credentials(String at, JsonObject c) {
    Map<String, List<String>> headers = stringListMap(at + ".header", object(c, "header"));
    Map<String, List<String>> query = stringListMap(at + ".query", object(c, "query"));
    Credentials.Authorization authorization = null;
    JsonObject a = object(c, "authorization");
    if (a.containsKey("scheme") && a.containsKey("parameter")) {
      authorization =
          new Credentials.Authorization(
              namedValues.substitute(at + ".authorization.scheme", string(a, "scheme", "")),
              namedValues.substitute(at + ".authorization.parameter", string(a, "parameter", "")));
    }
    for (String h : headers.keySet()) {
      if (!h.matches("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")) {
        problem(at + ".header." + h, "not a valid HTTP header name");
      }
    }
    TlsCertificate certificate = null;
    JsonArray ids = array(c, "certificateIds");
    for (int i = 0; i < ids.size(); i++) {
      if (ids.getValue(i) instanceof String id) {
        certificate = certificates.certificate(at + ".certificateIds[" + i + "]", id);
      }
    }
    return headers.isEmpty() && query.isEmpty() && authorization == null && certificate == null
        ? Credentials.NONE
        : new Credentials(headers, query, authorization, certificate);
  }

  private Map<String, List<String>> stringListMap(String at, JsonObject m) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    m.forEach(
        e -> {
          List<String> values = new ArrayList<>();
          if (e.getValue() instanceof String s) {
            values.add(namedValues.substitute(at + "." + e.getKey(), s));
          } else if (e.getValue() instanceof JsonArray arr) {
            for (int i = 0; i < arr.size(); i++) {
              if (arr.getValue(i) instanceof String s) {
                values.add(namedValues.substitute(at + "." + e.getKey() + "[" + i + "]", s));
              }
            }
          }
          out.put(e.getKey(), List.copyOf(values));
        });
    return out;
  }

  private List<ApiConfig> apis(JsonArray list, List<BackendConfig> backends, Listeners listeners) {
    List<ApiConfig> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Map<String, String> paths = new HashMap<>();
    Set<String> backendIds = new HashSet<>();
    backends.forEach(b -> backendIds.add(b.id()));
    // ids of backends that failed validation still count as defined: their own problem is reported
    // once
    array(raw, "backends")
        .forEach(
            b -> {
              if (b instanceof JsonObject o && o.getValue("id") instanceof String s) {
                backendIds.add(s);
              }
            });
    for (int i = 0; i < list.size(); i++) {
      String at = "apis[" + i + "]";
      JsonObject a = objectAt(list, i);
      String id = string(a, "id", null);
      String path = string(a, "path", null);
      if (id == null || path == null) {
        continue;
      }
      JsonObject sbs = a.getValue("set-backend-service") instanceof JsonObject o ? o : null;
      // apis[].openapi: the document may name the backend (servers[0]) and gives the operations
      boolean imported = a.containsKey("openapi");
      OpenApiDefinition openapi =
          imported ? openApiDocument(at + ".openapi", object(a, "openapi")) : null;
      String backend =
          chooseBackend(
              at, string(a, "backend", null), sbs, !imported, backendIds, backends, listeners);
      if (imported && backend == null) {
        backend = openApiBackend(at + ".openapi", openapi, backendIds, backends, listeners);
      }
      FabricAttributes sf = fabricAttributes(at + ".set-backend-service", sbs);
      if (!ids.add(id)) {
        problem(at + ".id", "duplicate API id '" + id + "'");
      }
      String prefix = normalizePrefix(at + ".path", path);
      if (prefix != null) {
        String other = paths.putIfAbsent(prefix, id);
        if (other != null) {
          problem(at + ".path", "path '" + prefix + "' is already used by API '" + other + "'");
        }
      }
      List<OperationConfig> operations = new ArrayList<>();
      Set<String> opKeys = new HashSet<>();
      Set<String> opIds = new HashSet<>();
      JsonArray ops = array(a, "operations");
      for (int j = 0; j < ops.size(); j++) {
        String oat = at + ".operations[" + j + "]";
        JsonObject o = objectAt(ops, j);
        String method = string(o, "method", null);
        String opPath = string(o, "path", null);
        if (method == null || opPath == null) {
          continue;
        }
        String opId = string(o, "id", method + " " + opPath);
        if (!opIds.add(opId)) {
          problem(oat + ".id", "duplicate operation id '" + opId + "' in API '" + id + "'");
        }
        PathTemplate template = null;
        try {
          template = PathTemplate.parse(opPath);
          if (!opKeys.add(method + " " + template.canonical())) {
            problem(oat, "duplicate operation " + method + " " + opPath + " in API '" + id + "'");
          }
        } catch (IllegalArgumentException e) {
          problem(oat + ".path", e.getMessage());
        }
        JsonObject opSbs = o.getValue("set-backend-service") instanceof JsonObject x ? x : null;
        String opBackend =
            chooseBackend(
                oat, string(o, "backend", null), opSbs, false, backendIds, backends, listeners);
        FabricAttributes opSf = fabricAttributes(oat + ".set-backend-service", opSbs);
        OperationConfig op =
            new OperationConfig(
                opId,
                method,
                opPath,
                opBackend,
                opSf,
                policies(
                    oat + ".policies",
                    o.getValue("policies"),
                    o.getValue("inheritPolicies"),
                    false),
                websocket(oat + ".websocket", o.getValue("websocket")),
                Boolean.FALSE.equals(o.getValue("websocket")));
        if (template != null) {
          checkFabricRoute(
              oat,
              op.overridesBackendService()
                  ? oat + ".set-backend-service"
                  : at + ".set-backend-service",
              opBackend != null ? opBackend : backend,
              op.overridesBackendService() ? opSf : sf,
              template,
              backends,
              !op.overridesBackendService());
        }
        operations.add(op);
      }
      if (imported) {
        openApiOperations(at, openapi, ops, operations);
      }
      if (operations.isEmpty() && ops.isEmpty()) {
        checkFabricRoute(at, at + ".set-backend-service", backend, sf, null, backends, false);
      } else if (hasAttributes(sbs)
          && backend != null
          && isKnownBackend(backend, backends)
          && !isFabric(backend, backends)) {
        problem(
            at + ".set-backend-service",
            "sf-* attributes apply to Service Fabric backends; backend '"
                + backend
                + "' is not one (its url is no fabric:/ name)");
      }
      RetryConfig retry = retry(at + ".retry", object(a, "retry"));
      PolicyScopeConfig apiPolicies =
          policies(at + ".policies", a.getValue("policies"), a.getValue("inheritPolicies"), false);
      if (prefix != null && backend != null) {
        out.add(
            new ApiConfig(
                id,
                prefix,
                backend,
                operations,
                retry,
                sf,
                apiPolicies,
                openapi,
                websocket(at + ".websocket", a.getValue("websocket"))));
      }
    }
    return out;
  }

  // --- apis[].openapi (OpenAPI import) ------------------------------------------------------

  private static final Pattern BODY_SIZE = Pattern.compile("^([0-9]{1,10})\\s*(B|KiB|MiB)?$");

  /**
   * Reads and checks the API's OpenAPI document; its problems are reported at {@code at}, one per
   * line.
   */
  private OpenApiDefinition openApiDocument(String at, JsonObject o) {
    String file = string(o, "file", null);
    String url = string(o, "url", null);
    if ((file == null) == (url == null)) {
      problem(at, "needs exactly one of 'file' (a path) or 'url' (http or https)");
      return null;
    }
    if (url != null) {
      url = namedValues.substitute(at + ".url", url);
      if (!url.regionMatches(true, 0, "http://", 0, 7)
          && !url.regionMatches(true, 0, "https://", 0, 8)) {
        problem(
            at + ".url",
            "'" + url + "' is not an http:// or https:// URL (a local document is a 'file')");
        return null;
      }
    }
    JsonObject v = object(o, "validate");
    long maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    Object size = v.getValue("maxBodySize");
    if (size instanceof Number n) {
      maxBody = n.longValue();
    } else if (size instanceof String text) {
      Matcher m = BODY_SIZE.matcher(text.strip());
      if (m.matches()) {
        long unit =
            m.group(2) == null || m.group(2).equals("B")
                ? 1
                : m.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        maxBody = Long.parseLong(m.group(1)) * unit;
      } else {
        problem(
            at + ".validate.maxBodySize",
            "'" + text + "' is not a size: bytes, or a number with KiB or MiB (1MiB)");
      }
    }
    if (maxBody < 1 || maxBody > MAX_VALIDATED_BODY) {
      problem(
          at + ".validate.maxBodySize",
          "must be between 1 byte and "
              + MAX_VALIDATED_BODY / (1024 * 1024)
              + " MiB (the body is held in memory while it is checked), got "
              + maxBody);
      maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    }
    OpenApiSource source =
        new OpenApiSource(
            file,
            url,
            new OpenApiSource.Validation(
                bool(v, "parameters", false), bool(v, "content", false), maxBody));
    if (openApi == null) {
      problem(at, "OpenAPI documents are not read here");
      return null;
    }
    try {
      return openApi.load(source);
    } catch (OpenApiException e) {
      e.problems().forEach(p -> problem(at, p));
      return null;
    } catch (RuntimeException e) {
      // a document Vert.x OpenAPI chokes on in a way of its own: still a problem of this field, not
      // a crash
      problem(at, source.location() + ": cannot be imported: " + RootCause.message(e));
      return null;
    }
  }

  /** The largest body request validation holds: 64 MiB. */
  private static final long MAX_VALIDATED_BODY = 64L * 1024 * 1024;

  /** An imported API without a backend of its own goes to the document's first server. */
  private String openApiBackend(
      String at,
      OpenApiDefinition openapi,
      Set<String> backendIds,
      List<BackendConfig> backends,
      Listeners listeners) {
    if (openapi == null) {
      return null; // the document's problem is reported
    }
    if (openapi.serverUrl() == null) {
      problem(at, openapi.serverProblem());
      return null;
    }
    return implicitBackend(at, openapi.serverUrl(), backendIds, backends, listeners);
  }

  /**
   * The document's operations are the API's: an API that also lists {@code operations} is refused,
   * since two lists of the same thing would disagree sooner or later.
   */
  private void openApiOperations(
      String at,
      OpenApiDefinition openapi,
      JsonArray configured,
      List<OperationConfig> operations) {
    if (!configured.isEmpty()) {
      problem(
          at + ".operations",
          "an API imported from OpenAPI (openapi) takes its operations from the document:"
              + " drop 'operations', or drop 'openapi' and list them all");
      return;
    }
    if (openapi != null) {
      openapi
          .operations()
          .forEach(
              op -> operations.add(new OperationConfig(op.id(), op.method(), op.path(), null)));
    }
  }

  // --- end apis[].openapi --------------------------------------------------------------------

  /**
   * The backend one level (API or operation) names: {@code backend}, or set-backend-service's
   * {@code backend-id} or {@code base-url}; they say the same thing, so at most one is given
   * (exactly one on an API). A base-url becomes the configured backend with that URL, or an
   * implicit backend of its own (APIM's automatic backend matching).
   */
  private String chooseBackend(
      String at,
      String backend,
      JsonObject sbs,
      boolean required,
      Set<String> backendIds,
      List<BackendConfig> backends,
      Listeners listeners) {
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
      checkBackendRef(at + ".backend", backend, backendIds);
      return backend;
    }
    if (backendId != null) {
      checkBackendRef(at + ".set-backend-service.backend-id", backendId, backendIds);
      return backendId;
    }
    if (baseUrl != null) {
      return implicitBackend(
          at + ".set-backend-service.base-url",
          namedValues.substitute(at + ".set-backend-service.base-url", baseUrl),
          backendIds,
          backends,
          listeners);
    }
    if (required) {
      problem(
          at + ".backend",
          "required: give 'backend' (or set-backend-service with 'backend-id' or 'base-url')");
    }
    return null;
  }

  private String implicitBackend(
      String at,
      String url,
      Set<String> backendIds,
      List<BackendConfig> backends,
      Listeners listeners) {
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
    if (pointsAtSelf(fixed, listeners)) {
      problem(
          at,
          "points at this gateway's own traffic listener ("
              + fixed.authority()
              + "); requests would loop back into the gateway");
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
    if (backendIds.add(id)) {
      backends.add(
          new SingleBackendConfig(
              id,
              "set-backend-service base-url " + id,
              fixed,
              Credentials.NONE,
              TlsConfig.DEFAULT,
              Timeouts.DEFAULT,
              CircuitBreakerConfig.DEFAULT,
              LoadBalancingConfig.DEFAULT));
    }
    return id;
  }

  /** The sf-* attributes of a set-backend-service, validated; {@code null} without one. */
  private FabricAttributes fabricAttributes(String at, JsonObject sbs) {
    if (sbs == null) {
      return null;
    }
    PartitionKeyExpression key = null;
    String keyText = string(sbs, "sf-partition-key", null);
    if (keyText != null) {
      try {
        key = PartitionKeyExpression.parse(keyText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-partition-key", e.getMessage());
      }
    }
    ReplicaSelector replica = null;
    try {
      replica =
          ReplicaSelector.parseApimReplicaType(string(sbs, "sf-replica-type", null)).orElse(null);
    } catch (IllegalArgumentException e) {
      // reported by the schema
    }
    ResolveCondition condition = null;
    String conditionText = string(sbs, "sf-resolve-condition", null);
    if (conditionText != null) {
      try {
        condition = ResolveCondition.parse(conditionText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-resolve-condition", e.getMessage());
      }
    }
    FabricName instance = null;
    String instanceText = string(sbs, "sf-service-instance-name", null);
    if (instanceText != null) {
      try {
        instance = FabricName.parseService(instanceText);
      } catch (InvalidFabricNameException e) {
        problem(at + ".sf-service-instance-name", e.getMessage());
      }
    }
    return new FabricAttributes(
        key, replica, string(sbs, "sf-listener-name", null), condition, instance);
  }

  private static boolean hasAttributes(JsonObject sbs) {
    if (sbs != null) {
      for (String k : sbs.fieldNames()) {
        if (k.startsWith("sf-")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A route's sf-* attributes must be those of a Service Fabric backend, and a partition key from a
   * template parameter must name one of the route's template.
   *
   * @param inherited the attributes come from the API (reported on the operation that inherits
   *     them)
   */
  private void checkFabricRoute(
      String at,
      String sfAt,
      String backend,
      FabricAttributes sf,
      PathTemplate template,
      List<BackendConfig> backends,
      boolean inherited) {
    if (sf == null || backend == null || !isKnownBackend(backend, backends)) {
      return;
    }
    boolean any =
        sf.partitionKey() != null
            || sf.replicaType() != null
            || sf.listenerName() != null
            || sf.resolveCondition() != null
            || sf.serviceInstanceName() != null;
    if (!any) {
      return;
    }
    if (!isFabric(backend, backends)) {
      if (!inherited) {
        problem(
            sfAt,
            "sf-* attributes apply to Service Fabric backends; backend '"
                + backend
                + "' is not one (its url is no fabric:/ name)");
      }
      return;
    }
    if (sf.partitionKey() != null) {
      try {
        sf.partitionKey().bind(template);
      } catch (IllegalArgumentException e) {
        problem(
            inherited ? at : sfAt + ".sf-partition-key",
            inherited
                ? "inherits sf-partition-key '"
                    + sf.partitionKey().source()
                    + "' from its API, but "
                    + e.getMessage()
                : e.getMessage());
      }
    }
  }

  private static boolean isKnownBackend(String id, List<BackendConfig> backends) {
    for (BackendConfig b : backends) {
      if (b.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFabric(String id, List<BackendConfig> backends) {
    for (BackendConfig b : backends) {
      if (b.id().equals(id)) {
        return isFabric(b);
      }
    }
    return false;
  }

  private static boolean isFabric(BackendConfig b) {
    return b instanceof SingleBackendConfig s && s.target() instanceof BackendTarget.ServiceFabric;
  }

  private void checkBackendRef(String at, String ref, Set<String> backendIds) {
    if (!backendIds.contains(ref)) {
      problem(
          at,
          "unknown backend '"
              + ref
              + "'"
              + (backendIds.isEmpty()
                  ? " (no backends are defined)"
                  : " (defined: "
                      + String.join(", ", backendIds.stream().sorted().toList())
                      + ")"));
    }
  }

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

  // --- tolerant accessors -------------------------------------------------------------------

  /**
   * Binds one scope's {@code policies} (the schema checked their shape; this binds and checks their
   * meaning). What needs the running gateway (templates against named values, keys, address ranges,
   * a Redis store) is checked when the routing state compiles them.
   */
  private PolicyScopeConfig policies(String at, Object list, Object inherit, boolean global) {
    List<PolicyProblem> found = new ArrayList<>();
    PolicyScopeConfig scope;
    try {
      scope =
          PolicyConfigBinder.bindScope(
              at, list, inherit instanceof Boolean b ? b : null, global, found);
    } catch (RuntimeException e) {
      problem(at, "cannot be read: " + e.getMessage());
      return PolicyScopeConfig.INHERIT;
    }
    found.forEach(p -> problem(p.path(), p.reason()));
    return scope;
  }
}
