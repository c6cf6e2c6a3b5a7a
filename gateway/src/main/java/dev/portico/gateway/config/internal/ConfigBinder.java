package dev.portico.gateway.config.internal;

import dev.portico.discovery.HttpUrl;
import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.sources.DnsSrvOptions;
import dev.portico.discovery.sources.KubernetesOptions;
import dev.portico.discovery.sources.SourceOptions;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.importer.InvalidImporterConfigException;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.config.AccessLogConfig;
import dev.portico.gateway.config.TracingConfig;
import dev.portico.gateway.config.AdminConfig;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.DemoConfig;
import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.MetricsConfig;
import dev.portico.gateway.config.NamedValue;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.PolicySettings;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.RegistryConfig;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.config.ReverseProxyConfig;
import dev.portico.gateway.config.ServiceFabricCluster;
import dev.portico.gateway.config.ShutdownConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.config.TlsCertificate;
import dev.portico.gateway.config.TlsConfig;
import dev.portico.gateway.config.UpstreamConfig;
import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiSource;
import dev.portico.gateway.policy.PolicyConfigBinder;
import dev.portico.gateway.policy.PolicyProblem;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.expression.ResolveCondition;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a raw configuration (already checked against the schema) into a {@link GatewayConfig},
 * checking what a schema cannot: durations, URLs, references between sections, duplicate ids,
 * named values, and backends that would loop back into this gateway. It is tolerant of values the
 * schema already rejected (they fall back to defaults) so that one run reports every problem.
 */
public final class ConfigBinder {

  static final int DEFAULT_TRAFFIC_PORT = 8080;
  static final int DEFAULT_MANAGEMENT_PORT = 9090;
  private static final Pattern NAMED_VALUE_REF = Pattern.compile("\\{\\{\\s*([^{}\\s]+)\\s*}}");
  private static final Pattern SERVICE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$");

  private final JsonObject raw;
  private final Map<String, String> env;
  private final Map<String, String> origins;
  private final LocalAddresses localAddresses;
  private final List<SchemaCheck.FieldProblem> problems = new ArrayList<>();
  private final Map<String, NamedValue> namedValues = new LinkedHashMap<>();
  private final Map<String, TlsCertificate> certificates = new LinkedHashMap<>();
  /** Ids given in {@code certificates[]}, also those that failed to load (their problem is reported once). */
  private final Set<String> certificateIds = new HashSet<>();
  private final List<PendingCluster> fabricClusters = new ArrayList<>();

  /** APIM's settings for the TLS connection to a cluster's management endpoints. */
  private static final List<String> CLUSTER_TLS_FIELDS = List.of("clientCertificateId", "serverCertificateThumbprints",
    "serverX509Names");

  /** A Service Fabric backend whose cluster's importer is bound once every backend is known. */
  private record PendingCluster(int index, String at, String backendId, JsonObject json) {
  }

  public ConfigBinder(JsonObject raw, Map<String, String> env, Map<String, String> origins, LocalAddresses localAddresses) {
    this.raw = raw;
    this.env = env;
    this.origins = origins;
    this.localAddresses = localAddresses;
  }

  public List<SchemaCheck.FieldProblem> problems() {
    return problems;
  }

  // --- apis[].openapi: the importer the binder reads documents with ------------------------
  private OpenApiLoading openApi;

  /** Where {@code apis[].openapi} documents are read from; without it an API naming one is a problem. */
  public ConfigBinder openApi(OpenApiLoading loading) {
    this.openApi = loading;
    return this;
  }
  // --- end apis[].openapi ------------------------------------------------------------------

  public GatewayConfig bind(String source) {
    JsonObject gw = obj(raw, "gateway");
    String gatewayId = str(gw, "id", null);
    boolean gatewayIdConfigured = gatewayId != null;
    if (gatewayId == null) {
      gatewayId = "portico-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }
    // listeners and backends refer to named values and certificates
    bindNamedValues(arr(raw, "namedValues"));
    bindCertificates(arr(raw, "certificates"));
    Listeners listeners = listeners(obj(raw, "listeners"));
    UpstreamConfig upstream = upstream(obj(raw, "upstream"));
    RegistryConfig registry = registry(obj(raw, "registry"), listeners);
    List<BackendConfig> backends = backends(arr(raw, "backends"), listeners);
    // may add the implicit backends of set-backend-service base-urls
    List<ApiConfig> apis = apis(arr(raw, "apis"), backends, listeners);
    JsonObject demo = obj(raw, "demo");
    DemoConfig demoConfig = new DemoConfig(bool(demo, "enabled", false), integer(demo, "instances", 2),
      bool(demo, "serviceFabric", false));
    // one event loop per core, like nginx's worker_processes auto: more only adds context switches
    int eventLoops = integer(gw, "eventLoops", Runtime.getRuntime().availableProcessors());
    PolicyScopeConfig globalPolicies = policies("policies", raw.getValue("policies"), null, true);
    JsonObject ps = obj(raw, "policySettings");
    PolicySettings policySettings = new PolicySettings(integer(ps, "trustedProxyDepth", 0),
      integer(ps, "maxKeysPerLimit", PolicySettings.DEFAULT.maxKeysPerLimit()));
    return new GatewayConfig(source, gatewayId, eventLoops, listeners, upstream, registry,
      List.copyOf(namedValues.values()), dev.portico.gateway.config.FabricBackendConfig.variants(backends), apis, demoConfig, metrics(obj(raw, "metrics")),
      accessLog(obj(raw, "accessLog")), admin(obj(raw, "admin")), gatewayIdConfigured, bool(gw, "nativeTransport", false),
      shutdown(obj(gw, "shutdown")), globalPolicies, policySettings, tracing(obj(raw, "tracing")));
  }

  private ShutdownConfig shutdown(JsonObject s) {
    ShutdownConfig d = ShutdownConfig.DEFAULT;
    // no delay (PT0S, the default) is a valid choice: the listeners close at the signal
    Duration delay = s.getValue("delay") instanceof String v && isZeroDuration(v) ? Duration.ZERO
      : duration(s, "delay", "gateway.shutdown.delay", d.delay());
    Duration grace = duration(s, "gracePeriod", "gateway.shutdown.gracePeriod", d.gracePeriod());
    if (delay.compareTo(grace) >= 0) {
      problem(s.containsKey("delay") ? "gateway.shutdown.delay" : "gateway.shutdown.gracePeriod",
        "the delay (" + delay + ") must be shorter than the grace period (" + grace + "), which counts from the signal");
    }
    return new ShutdownConfig(delay, grace);
  }

  private static boolean isZeroDuration(String s) {
    try {
      return Duration.parse(s).isZero();
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  // --- sections -------------------------------------------------------------------------------

  private Listeners listeners(JsonObject l) {
    Listeners.Listener traffic = listener("listeners.traffic", obj(l, "traffic"), DEFAULT_TRAFFIC_PORT);
    Listeners.Listener management = listener("listeners.management", obj(l, "management"), DEFAULT_MANAGEMENT_PORT);
    if (traffic.port() != 0 && traffic.port() == management.port()) {
      problem("listeners.management.port", "must differ from listeners.traffic.port (" + traffic.port()
        + "): management and traffic are separate listeners");
    }
    return new Listeners(traffic, management, reverseProxy(obj(l, "serviceFabricReverseProxy"), traffic, management));
  }

  private ReverseProxyConfig reverseProxy(JsonObject r, Listeners.Listener traffic, Listeners.Listener management) {
    String at = "listeners.serviceFabricReverseProxy";
    ReverseProxyConfig d = ReverseProxyConfig.OFF;
    boolean enabled = bool(r, "enabled", false);
    int port = integer(r, "port", d.port());
    if (enabled && port != 0 && (port == traffic.port() || port == management.port())) {
      problem(at + ".port", "must differ from the traffic (" + traffic.port() + ") and management ("
        + management.port() + ") ports: it is a listener of its own");
    }
    JsonObject tls = obj(r, "tls");
    return new ReverseProxyConfig(enabled, str(r, "host", "0.0.0.0"), port,
      duration(r, "defaultTimeout", at + ".defaultTimeout", d.defaultTimeout()),
      duration(r, "connectTimeout", at + ".connectTimeout", d.connectTimeout()),
      duration(r, "attemptTimeout", at + ".attemptTimeout", null),
      integer(r, "maxRetries", d.maxRetries()),
      integer(r, "notFoundRetries", d.notFoundRetries()),
      "append".equals(str(r, "forwardedHeaders", "replace")),
      duration(r, "backoffMax", at + ".backoffMax", d.backoffMax()),
      r.getValue("bufferBodyLimit") instanceof Number n ? n.longValue() : d.bufferBodyLimit(),
      new TlsConfig(bool(tls, "validateCertificateChain", true), bool(tls, "validateCertificateName", true)),
      r.containsKey("circuitBreaker") ? breaker(at + ".circuitBreaker", obj(r, "circuitBreaker")) : d.breaker(),
      https(at + ".https", r), clientTimeouts(at + ".timeouts", obj(r, "timeouts")), escapedSlashes(r));
  }

  private Listeners.Listener listener(String at, JsonObject l, int defaultPort) {
    return new Listeners.Listener(str(l, "host", "0.0.0.0"), integer(l, "port", defaultPort), https(at + ".https", l),
      clientTimeouts(at + ".timeouts", obj(l, "timeouts")), escapedSlashes(l), h2c(at, l));
  }

  /** Issue 14: {@code listeners.*.h2c}, cleartext HTTP/2 with prior knowledge; a plain listener's opt-in. */
  private boolean h2c(String at, JsonObject l) {
    boolean h2c = bool(l, "h2c", false);
    if (h2c && !at.equals("listeners.traffic")) {
      problem(at + ".h2c", "only the traffic listener offers cleartext HTTP/2 (h2c)");
    } else if (h2c && l.containsKey("https")) {
      problem(at + ".h2c", "h2c is cleartext HTTP/2 for a plain listener; an https listener offers HTTP/2 by ALPN");
    }
    return h2c;
  }

  /** A listener's {@code timeouts} block: how long it waits for slow or idle clients. */
  private ClientTimeouts clientTimeouts(String at, JsonObject t) {
    ClientTimeouts d = ClientTimeouts.DEFAULT;
    return new ClientTimeouts(duration(t, "requestHeaders", at + ".requestHeaders", d.requestHeaders()),
      duration(t, "requestBodyIdle", at + ".requestBodyIdle", d.requestBodyIdle()),
      duration(t, "keepAlive", at + ".keepAlive", d.keepAlive()));
  }

  private static EscapedSlashes escapedSlashes(JsonObject listener) {
    return switch (str(listener, "escapedSlashes", "reject")) {
      case "decode" -> EscapedSlashes.DECODE;
      case "keep" -> EscapedSlashes.KEEP;
      default -> EscapedSlashes.REJECT;
    };
  }

  /** A listener's {@code https} block, or null when it has none (plain HTTP). */
  private ListenerHttps https(String at, JsonObject listener) {
    if (!(listener.getValue("https") instanceof JsonObject h)) {
      return null;
    }
    TlsCertificate cert = certificate(at + ".certificateId", str(h, "certificateId", ""));
    ClientAuth clientAuth = switch (str(h, "clientAuth", "none")) {
      case "request" -> ClientAuth.REQUEST;
      case "required" -> ClientAuth.REQUIRED;
      default -> ClientAuth.NONE;
    };
    String caPath = str(h, "clientCaPath", null);
    String caPem = null;
    if (clientAuth == ClientAuth.NONE && caPath != null) {
      problem(at + ".clientCaPath", "has no effect without clientAuth: request or required");
    } else if (clientAuth != ClientAuth.NONE && caPath == null) {
      problem(at + ".clientCaPath", "clientAuth " + clientAuth.name().toLowerCase(Locale.ROOT)
        + " needs the CA certificate(s) that issue the clients' certificates (PEM)");
    } else if (caPath != null) {
      try {
        caPem = CertificateLoader.caPem(caPath);
      } catch (CertificateLoader.Invalid e) {
        problem(at + ".clientCaPath", e.getMessage());
      }
    }
    return cert == null ? null : new ListenerHttps(cert, clientAuth, caPem, bool(h, "http2", true));
  }

  private UpstreamConfig upstream(JsonObject u) {
    return new UpstreamConfig(integer(u, "maxConnectionsPerEndpoint", 100),
      duration(u, "keepAliveTimeout", "upstream.keepAliveTimeout", Duration.ofSeconds(60)));
  }

  private void bindNamedValues(JsonArray list) {
    for (int i = 0; i < list.size(); i++) {
      String at = "namedValues[" + i + "]";
      JsonObject nv = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String name = str(nv, "name", null);
      if (name == null) {
        continue;
      }
      if (namedValues.containsKey(name)) {
        problem(at + ".name", "duplicate named value '" + name + "'");
        continue;
      }
      List<String> sources = new ArrayList<>();
      for (String k : List.of("value", "env", "file")) {
        if (nv.containsKey(k)) {
          sources.add(k);
        }
      }
      if (sources.size() != 1) {
        problem(at, "needs exactly one of 'value', 'env' or 'file'" + (sources.isEmpty() ? "" : " (has " + String.join(", ", sources) + ")"));
        continue;
      }
      boolean secret = bool(nv, "secret", !sources.get(0).equals("value"));
      String value = switch (sources.get(0)) {
        case "value" -> str(nv, "value", "");
        case "env" -> {
          String var = str(nv, "env", "");
          String v = env.get(var);
          if (v == null) {
            problem(at + ".env", "environment variable '" + var + "' is not set");
          }
          yield v;
        }
        default -> {
          String file = str(nv, "file", "");
          try {
            yield stripFinalNewline(Files.readString(Path.of(file), StandardCharsets.UTF_8));
          } catch (IOException | RuntimeException e) {
            problem(at + ".file", "cannot read '" + file + "': " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
            yield null;
          }
        }
      };
      if (value != null) {
        namedValues.put(name, new NamedValue(name, value, secret));
      }
    }
  }

  private void bindCertificates(JsonArray list) {
    for (int i = 0; i < list.size(); i++) {
      String at = "certificates[" + i + "]";
      JsonObject c = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String id = str(c, "id", null);
      if (id == null) {
        continue;
      }
      if (!certificateIds.add(id)) {
        problem(at + ".id", "duplicate certificate id '" + id + "'");
        continue;
      }
      boolean pem = c.containsKey("certPath") || c.containsKey("keyPath");
      boolean pfx = c.containsKey("pfxPath");
      if (pem == pfx) {
        problem(at, "needs either 'certPath' and 'keyPath' (PEM) or 'pfxPath' (PKCS#12)"
          + (pem ? ", not both" : ""));
        continue;
      }
      if (pem && c.containsKey("password")) {
        problem(at + ".password", "applies to a pfxPath (PEM keys are read unencrypted)");
        continue;
      }
      TlsCertificate cert;
      if (pem) {
        cert = pemFiles(at, c, id);
      } else {
        try {
          cert = CertificateLoader.pfx(id, str(c, "pfxPath", ""), substitute(at + ".password", str(c, "password", "")));
        } catch (CertificateLoader.Invalid e) {
          problem(at + "." + e.field, e.getMessage());
          cert = null;
        }
      }
      if (cert != null) {
        certificates.put(id, cert);
      }
    }
  }

  /** The certificate in the PEM files {@code certPath} and {@code keyPath} of {@code c}; null after a problem. */
  private TlsCertificate pemFiles(String at, JsonObject c, String id) {
    if (!c.containsKey("certPath") || !c.containsKey("keyPath")) {
      problem(at + (c.containsKey("certPath") ? ".keyPath" : ".certPath"), "certPath and keyPath go together");
      return null;
    }
    try {
      return CertificateLoader.pem(id, str(c, "certPath", ""), str(c, "keyPath", ""));
    } catch (CertificateLoader.Invalid e) {
      problem(at + "." + e.field, e.getMessage());
      return null;
    }
  }

  /** The certificate {@code id} refers to; an unknown id is a problem at {@code at}, null returned. */
  private TlsCertificate certificate(String at, String id) {
    TlsCertificate cert = certificates.get(id);
    if (cert == null && !certificateIds.contains(id)) {
      problem(at, "unknown certificate '" + id + "'" + (certificateIds.isEmpty() ? " (no certificates are defined)"
        : " (defined: " + String.join(", ", new TreeSet<>(certificateIds)) + ")"));
    }
    return cert;
  }

  private AdminConfig admin(JsonObject a) {
    String token = str(a, "token", null);
    if (token == null) {
      return AdminConfig.OFF;
    }
    token = substitute("admin.token", token);
    if (token.strip().length() < AdminConfig.MIN_TOKEN_LENGTH) {
      problem("admin.token", "must be at least " + AdminConfig.MIN_TOKEN_LENGTH + " characters: the admin API can"
        + " take endpoints out of service (use a random secret, e.g. a named value from the environment)");
      return AdminConfig.OFF;
    }
    return new AdminConfig(token.strip());
  }

  private RegistryConfig registry(JsonObject r, Listeners listeners) {
    List<InstanceSpec> instances = new ArrayList<>();
    JsonArray list = arr(r, "instances");
    for (int i = 0; i < list.size(); i++) {
      String at = "registry.instances[" + i + "]";
      JsonObject in = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String service = str(in, "service", null);
      String url = str(in, "url", null);
      if (service == null || url == null) {
        continue;
      }
      if (!SERVICE_NAME.matcher(service).matches()) {
        problem(at + ".service", "'" + service + "' is not a valid service name (letters, digits, '.', '_', '-')");
      }
      BackendTarget.FixedUrl fixed = absoluteUrl(at + ".url", url);
      if (fixed == null) {
        continue;
      }
      if (pointsAtSelf(fixed, listeners)) {
        problem(at + ".url", "points at this gateway's own traffic listener (" + fixed.authority()
          + "); requests would loop back into the gateway");
      }
      Map<String, String> metadata = new HashMap<>();
      obj(in, "metadata").forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
      InstanceStatus status = InstanceStatus.UP;
      String st = str(in, "status", "UP");
      try {
        status = InstanceStatus.parse(st);
      } catch (IllegalArgumentException e) {
        // reported by the schema
      }
      instances.add(new InstanceSpec(service, fixed.host(), fixed.port(), fixed.ssl(), fixed.basePath(), status, metadata));
    }
    String backend = str(r, "backend", RegistryConfig.LOCAL);
    RegistryConfig.Redis redis = redisRegistry(backend, r);
    List<SourceOptions> sources = sources(arr(r, "sources"));
    for (int i = 0; i < instances.size(); i++) {
      String owner = instances.get(i).metadata().get(SourceRecords.SOURCE);
      if (owner != null && sources.stream().anyMatch(s -> s.id().equals(owner))) {
        problem("registry.instances[" + i + "].metadata." + SourceRecords.SOURCE, "'" + owner
          + "' is the id of a registry source, which would remove this instance as not its own");
      }
    }
    return new RegistryConfig(backend, redis,
      str(r, "announceAddress", ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS),
      duration(r, "refreshInterval", "registry.refreshInterval", RegistryOptions.DEFAULT_REFRESH),
      duration(r, "timeout", "registry.timeout", RegistryOptions.DEFAULT_CALL_TIMEOUT), instances, sources);
  }

  // --- registry sources (DNS SRV, Kubernetes) -----------------------------------------------

  private static final Map<String, Set<String>> SOURCE_FIELDS = Map.of(
    DnsSrvOptions.TYPE, Set.of("type", "id", "service", "name", "scheme", "server", "minInterval", "maxInterval",
      "timeout", "resolveTargets"),
    KubernetesOptions.TYPE, Set.of("type", "id", "service", "name", "scheme", "namespace", "port", "addressType",
      "apiServer", "tokenFile", "caFile", "timeout", "watchTimeout"));

  private List<SourceOptions> sources(JsonArray list) {
    List<SourceOptions> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "registry.sources[" + i + "]";
      JsonObject s = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String type = str(s, "type", null);
      if (!SOURCE_FIELDS.containsKey(type)) {
        continue; // reported by the schema
      }
      for (String field : new TreeSet<>(s.fieldNames())) {
        if (!SOURCE_FIELDS.get(type).contains(field)) {
          String other = type.equals(DnsSrvOptions.TYPE) ? KubernetesOptions.TYPE : DnsSrvOptions.TYPE;
          problem(at + "." + field, "does not apply to type " + type + (SOURCE_FIELDS.get(other).contains(field)
            ? " (it is a field of type " + other + ")" : ""));
        }
      }
      SourceOptions source = type.equals(DnsSrvOptions.TYPE) ? dnsSource(at, s) : kubernetesSource(at, s);
      if (source == null) {
        continue;
      }
      if (!ids.add(source.id())) {
        problem(at + ".id", "duplicate registry source id '" + source.id() + "'" + (s.containsKey("id") ? ""
          : " (the default, <type>:<service>: give each source its own id)"));
        continue;
      }
      out.add(source);
    }
    return out;
  }

  private DnsSrvOptions dnsSource(String at, JsonObject s) {
    String name = str(s, "name", null);
    String service = str(s, "service", null);
    if (name == null) {
      problem(at + ".name", "required: the SRV name to resolve, e.g. _http._tcp.orders.service.consul");
    }
    if (service == null) {
      problem(at + ".service", "required: the registry service the instances are published under (what backends name)");
    }
    if (name == null || service == null || !validServiceName(at + ".service", service)) {
      return null;
    }
    String host = null;
    int port = 53;
    String server = str(s, "server", null);
    if (server != null) {
      Matcher m = Pattern.compile("^(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)|([0-9A-Fa-f:]*:[0-9A-Fa-f:]*))(?::(\\d{1,5}))?$")
        .matcher(server.strip());
      // a bare IPv6 address has colons of its own: a port needs the bracketed form
      if (!m.matches() || (m.group(3) != null && m.group(4) != null)) {
        problem(at + ".server", "'" + server + "' is not an IP address with an optional port (10.0.0.2, 10.0.0.2:8600,"
          + " [fd00::2]:53): the DNS client needs its server's address, not a name to resolve");
        return null;
      }
      host = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (!io.netty.util.NetUtil.isValidIpV4Address(host) && !io.netty.util.NetUtil.isValidIpV6Address(host)) {
        problem(at + ".server", "'" + server + "' is not an IP address with an optional port (10.0.0.2, 10.0.0.2:8600,"
          + " [fd00::2]:53)");
        return null;
      }
      port = m.group(4) == null ? 53 : Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) {
        problem(at + ".server", "port " + port + " is out of range (1 to 65535)");
        return null;
      }
    }
    Duration min = duration(s, "minInterval", at + ".minInterval", DnsSrvOptions.DEFAULT_MIN_INTERVAL);
    Duration max = duration(s, "maxInterval", at + ".maxInterval", DnsSrvOptions.DEFAULT_MAX_INTERVAL);
    if (max.compareTo(min) < 0) {
      problem(at + ".maxInterval", max + " is shorter than minInterval (" + min + ")");
      return null;
    }
    return new DnsSrvOptions(str(s, "id", DnsSrvOptions.TYPE + ":" + service), service,
      name.endsWith(".") ? name.substring(0, name.length() - 1) : name, host, port, "https".equals(str(s, "scheme", "http")),
      min, max, duration(s, "timeout", at + ".timeout", DnsSrvOptions.DEFAULT_TIMEOUT), bool(s, "resolveTargets", true));
  }

  private KubernetesOptions kubernetesSource(String at, JsonObject s) {
    String name = str(s, "name", null);
    if (name == null) {
      problem(at + ".name", "required: the name of the Kubernetes Service whose EndpointSlices are read");
      return null;
    }
    String service = str(s, "service", name);
    if (!validServiceName(at + ".service", service)) {
      return null;
    }
    boolean ok = true;
    String namespace = str(s, "namespace", null);
    if (namespace == null) {
      namespace = readTrimmed(KubernetesOptions.IN_CLUSTER_NAMESPACE);
      if (namespace == null) {
        problem(at + ".namespace", "required outside a cluster (there is no " + KubernetesOptions.IN_CLUSTER_NAMESPACE + ")");
        ok = false;
      }
    }
    String apiServer = str(s, "apiServer", null);
    boolean inCluster = apiServer == null;
    if (inCluster) {
      String host = env.get("KUBERNETES_SERVICE_HOST");
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      if (host == null || host.isBlank()) {
        problem(at + ".apiServer", "required outside a cluster (KUBERNETES_SERVICE_HOST is not set)");
        return null;
      }
      apiServer = "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    } else {
      apiServer = substitute(at + ".apiServer", apiServer);
    }
    try {
      URI uri = new URI(apiServer);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw new URISyntaxException(apiServer, "not an http(s)://host[:port][/path] URL");
      }
    } catch (URISyntaxException e) {
      problem(at + ".apiServer", "'" + apiServer + "' is not an http(s)://host[:port][/path] URL");
      return null;
    }
    String tokenFile = str(s, "tokenFile", inCluster ? KubernetesOptions.IN_CLUSTER_TOKEN : null);
    if (tokenFile != null && !Files.isReadable(Path.of(tokenFile))) {
      problem(at + ".tokenFile", "cannot read '" + tokenFile + "'" + (s.containsKey("tokenFile") ? ""
        : " (the service account token: is automountServiceAccountToken off?)"));
      ok = false;
    }
    boolean https = apiServer.startsWith("https:");
    String caFile = str(s, "caFile", https && inCluster ? KubernetesOptions.IN_CLUSTER_CA : null);
    if (caFile != null) {
      if (!https) {
        problem(at + ".caFile", "has no use with an http:// apiServer");
        ok = false;
      } else {
        try {
          CertificateLoader.caPem(caFile);
        } catch (CertificateLoader.Invalid e) {
          problem(at + ".caFile", e.getMessage());
          ok = false;
        }
      }
    }
    Duration timeout = duration(s, "timeout", at + ".timeout", KubernetesOptions.DEFAULT_TIMEOUT);
    Duration watchTimeout = duration(s, "watchTimeout", at + ".watchTimeout", KubernetesOptions.DEFAULT_WATCH_TIMEOUT);
    if (!ok) {
      return null;
    }
    return new KubernetesOptions(str(s, "id", KubernetesOptions.TYPE + ":" + service), service, namespace, name,
      str(s, "port", null), "https".equals(str(s, "scheme", "http")), str(s, "addressType", "IPv4"), apiServer, tokenFile,
      caFile, timeout, watchTimeout);
  }

  private boolean validServiceName(String at, String service) {
    if (!SERVICE_NAME.matcher(service).matches()) {
      problem(at, "'" + service + "' is not a valid service name (letters, digits, '.', '_', '-')");
      return false;
    }
    return true;
  }

  private static String readTrimmed(String file) {
    try {
      Path p = Path.of(file);
      return Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private RegistryConfig.Redis redisRegistry(String backend, JsonObject r) {
    if (!RegistryConfig.REDIS.equals(backend)) {
      if (r.containsKey("redis")) {
        problem("registry.redis", "is only used with 'backend: redis' (backend is '" + backend + "')");
      }
      return null;
    }
    JsonObject redis = obj(r, "redis");
    String endpoint = str(redis, "endpoint", null);
    if (endpoint == null) {
      problem("registry.redis.endpoint", "required with 'backend: redis' (e.g. redis://redis:6379)");
      return null;
    }
    endpoint = substitute("registry.redis.endpoint", endpoint);
    String password = redis.containsKey("password") ? substitute("registry.redis.password", str(redis, "password", "")) : null;
    RegistryConfig.Redis out = new RegistryConfig.Redis(endpoint, password,
      str(redis, "key", RegistryConfig.Redis.DEFAULT_KEY), integer(redis, "maxPoolSize", RegistryConfig.Redis.DEFAULT_POOL));
    String problem = redisEndpointProblem(endpoint);
    if (problem != null) {
      // never the endpoint itself: it may carry a password
      problem("registry.redis.endpoint", "'" + out.safeEndpoint() + "' " + problem);
      return null;
    }
    return out;
  }

  private static String redisEndpointProblem(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      return "is not a URL (redis://[user:password@]host[:port][/db]; percent-encode special characters of a password)";
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      return "must start with redis:// or rediss://";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "has no host";
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,2}")) {
      return "has a path other than a database number (/0 to /99)";
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "must not have a query or fragment (the password goes in the URL's user part or registry.redis.password)";
    }
    return null;
  }

  private List<BackendConfig> backends(JsonArray list, Listeners listeners) {
    List<BackendConfig> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Map<String, JsonObject> pools = new LinkedHashMap<>();
    Map<String, String> poolPaths = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "backends[" + i + "]";
      JsonObject b = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String id = str(b, "id", null);
      if (id == null) {
        continue;
      }
      if (!ids.add(id)) {
        problem(at + ".id", "duplicate backend id '" + id + "'");
        continue;
      }
      if ("Pool".equals(str(b, "type", "Single"))) {
        for (String k : List.of("url", "protocol", "credentials", "tls", "timeouts", "circuitBreaker")) {
          if (b.containsKey(k)) {
            problem(at + "." + k, "a Pool backend has no " + k + ": its members (Single backends) carry it");
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
      String url = str(b, "url", null);
      if (url == null) {
        problem(at + ".url", "required for a Single backend");
        continue;
      }
      url = substitute(at + ".url", url);
      BackendTarget target = target(at + ".url", url, listeners);
      if (target instanceof BackendTarget.ServiceFabric) {
        if (b.containsKey("loadBalancing")) {
          problem(at + ".loadBalancing", "a Service Fabric backend is not balanced: the partition key and"
            + " sf-replica-type choose the replica");
        }
        target = new BackendTarget.ServiceFabric(((BackendTarget.ServiceFabric) target).service(),
          serviceFabricCluster(at + ".serviceFabricCluster", obj(b, "serviceFabricCluster")));
        fabricClusters.add(new PendingCluster(out.size(), at, id, obj(b, "serviceFabricCluster")));
      } else if (b.containsKey("serviceFabricCluster")) {
        problem(at + ".serviceFabricCluster", "applies only to a backend whose url is a fabric:/App/Service name");
      }
      Credentials credentials = credentials(at + ".credentials", obj(b, "credentials"));
      if (credentials.certificate() != null && target instanceof BackendTarget.FixedUrl f && !f.ssl()) {
        problem(at + ".credentials.certificateIds", "a client certificate is presented over https, and the url is http");
      }
      JsonObject tls = obj(b, "tls");
      TlsConfig tlsConfig = new TlsConfig(bool(tls, "validateCertificateChain", true), bool(tls, "validateCertificateName", true));
      JsonObject t = obj(b, "timeouts");
      Timeouts timeouts = new Timeouts(
        duration(t, "connect", at + ".timeouts.connect", Timeouts.DEFAULT.connect()),
        duration(t, "response", at + ".timeouts.response", Timeouts.DEFAULT.response()));
      CircuitBreakerConfig breaker = b.containsKey("circuitBreaker")
        ? breaker(at + ".circuitBreaker", obj(b, "circuitBreaker")) : CircuitBreakerConfig.DEFAULT;
      LoadBalancingConfig lb = loadBalancing(obj(b, "loadBalancing"));
      if (target != null) {
        out.add(new SingleBackendConfig(id, str(b, "title", id), target, credentials, tlsConfig, timeouts, breaker, lb,
          backendProtocol(at, b)));
      }
    }
    bindImporters(out);
    Map<String, BackendConfig> singles = new HashMap<>();
    out.forEach(b -> singles.put(b.id(), b));
    pools.forEach((id, b) -> {
      String at = poolPaths.get(id);
      JsonArray services = arr(obj(b, "pool"), "services");
      List<PoolBackendConfig.Member> members = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int j = 0; j < services.size(); j++) {
        String mat = at + ".pool.services[" + j + "]";
        JsonObject m = services.getValue(j) instanceof JsonObject o ? o : new JsonObject();
        String mid = str(m, "id", null);
        if (mid == null) {
          continue;
        }
        if (!seen.add(mid)) {
          problem(mat + ".id", "backend '" + mid + "' is already a member of this pool");
        } else if (pools.containsKey(mid)) {
          problem(mat + ".id", "'" + mid + "' is a Pool: pools cannot be nested");
        } else if (!singles.containsKey(mid)) {
          problem(mat + ".id", "unknown backend '" + mid + "'" + (singles.isEmpty() ? ""
            : " (Single backends: " + String.join(", ", singles.keySet().stream().sorted().toList()) + ")"));
        } else if (isFabric(singles.get(mid))) {
          problem(mat + ".id", "'" + mid + "' is a Service Fabric backend: a pool balances interchangeable"
            + " endpoints, a Service Fabric service is addressed by partition key; route to it directly");
        }
        members.add(new PoolBackendConfig.Member(mid, integer(m, "priority", 0), integer(m, "weight", 1)));
      }
      out.add(new PoolBackendConfig(id, str(b, "title", id), members, loadBalancing(obj(b, "loadBalancing"))));
    });
    return out;
  }

  private LoadBalancingConfig loadBalancing(JsonObject lb) {
    LoadBalancingConfig.Strategy strategy = "leastRequests".equals(str(lb, "strategy", "roundRobin"))
      ? LoadBalancingConfig.Strategy.LEAST_REQUESTS : LoadBalancingConfig.Strategy.ROUND_ROBIN;
    return new LoadBalancingConfig(strategy, str(obj(lb, "sessionAffinity"), "cookieName", null));
  }

  private CircuitBreakerConfig breaker(String at, JsonObject cb) {
    List<BreakerRuleConfig> rules = new ArrayList<>();
    JsonArray list = arr(cb, "rules");
    for (int i = 0; i < list.size(); i++) {
      String rat = at + ".rules[" + i + "]";
      JsonObject r = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      JsonObject fc = obj(r, "failureCondition");
      Integer count = fc.getValue("count") instanceof Number n ? n.intValue() : null;
      Integer percentage = fc.getValue("percentage") instanceof Number n ? n.intValue() : null;
      if ((count == null) == (percentage == null)) {
        problem(rat + ".failureCondition", "needs exactly one of 'count' and 'percentage'");
      }
      if (count != null && fc.containsKey("minimumRequests")) {
        problem(rat + ".failureCondition.minimumRequests", "applies to a percentage rule only");
      }
      List<BreakerRuleConfig.StatusRange> ranges = new ArrayList<>();
      JsonArray rs = arr(fc, "statusCodeRanges");
      for (int j = 0; j < rs.size(); j++) {
        JsonObject range = rs.getValue(j) instanceof JsonObject o ? o : new JsonObject();
        int min = integer(range, "min", 0);
        int max = integer(range, "max", 0);
        if (min > max) {
          problem(rat + ".failureCondition.statusCodeRanges[" + j + "]", "min " + min + " is above max " + max);
        }
        ranges.add(new BreakerRuleConfig.StatusRange(min, max));
      }
      Set<String> reasons = new HashSet<>();
      arr(fc, "errorReasons").forEach(x -> {
        if (x instanceof String str) {
          reasons.add(str);
        }
      });
      if (ranges.isEmpty() && reasons.isEmpty() && !fc.containsKey("grpcStatuses")) {
        problem(rat + ".failureCondition", "counts nothing: give statusCodeRanges, errorReasons and/or grpcStatuses");
      }
      rules.add(new BreakerRuleConfig(str(r, "name", "rule-" + i), count, percentage,
        duration(fc, "interval", rat + ".failureCondition.interval", Duration.ofSeconds(10)), ranges, reasons,
        integer(fc, "minimumRequests", 10),
        duration(r, "tripDuration", rat + ".tripDuration", Duration.ofSeconds(30)), bool(r, "acceptRetryAfter", false),
        grpcStatuses(fc)));
    }
    return new CircuitBreakerConfig(rules, integer(cb, "halfOpenRequests", 1),
      duration(cb, "maxRetryAfter", at + ".maxRetryAfter", CircuitBreakerConfig.DEFAULT_MAX_RETRY_AFTER),
      duration(cb, "probeTimeout", at + ".probeTimeout", null));
  }

  /** Issue 14: {@code backends[].protocol} ({@code http}, {@code http1}: HTTP/1.1; {@code http2}) and {@code maxConcurrentStreams}. */
  private BackendProtocol backendProtocol(String at, JsonObject b) {
    boolean h2 = "http2".equals(str(b, "protocol", "http"));
    if (!h2 && b.containsKey("maxConcurrentStreams")) {
      problem(at + ".maxConcurrentStreams", "applies to protocol: http2 only");
    }
    return new BackendProtocol(h2 ? BackendProtocol.Version.HTTP2 : BackendProtocol.Version.HTTP1,
      integer(b, "maxConcurrentStreams", BackendProtocol.DEFAULT_MAX_CONCURRENT_STREAMS));
  }

  /** Issue 14: {@code grpcStatuses} of a retry or breaker rule, gRPC status names (the schema checks them). */
  private static Set<String> grpcStatuses(JsonObject o) {
    Set<String> out = new HashSet<>();
    arr(o, "grpcStatuses").forEach(x -> {
      if (x instanceof String str) {
        out.add(str);
      }
    });
    return out;
  }

  /** Issue 14: {@code websocket} of an API or operation: {@code true}, {@code false} or {@code { idleTimeout }}; {@code null}: not set. */
  private WebSocketConfig websocket(String at, Object value) {
    if (value instanceof JsonObject o) {
      return new WebSocketConfig(duration(o, "idleTimeout", at + ".idleTimeout", WebSocketConfig.DEFAULT_IDLE_TIMEOUT));
    }
    return Boolean.TRUE.equals(value) ? WebSocketConfig.DEFAULT : null;
  }

  private RetryConfig retry(String at, JsonObject r) {
    if (r.isEmpty()) {
      return RetryConfig.NONE;
    }
    Set<Integer> statuses = new HashSet<>();
    arr(r, "statusCodes").forEach(x -> {
      if (x instanceof Number n) {
        statuses.add(n.intValue());
      }
    });
    Set<String> reasons = new HashSet<>();
    arr(r, "errorReasons").forEach(x -> {
      if (x instanceof String str) {
        reasons.add(str);
      }
    });
    if (!r.containsKey("statusCodes") && !r.containsKey("errorReasons")) {
      reasons.addAll(Set.of("BackendConnectionFailure", "Timeout"));
    }
    Set<String> methods = new HashSet<>();
    arr(r, "methods").forEach(x -> {
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
        problem(at + ".methods", m + " is not idempotent: it is retried only when its body is buffered;"
          + " set bufferBodyLimit above 0 or leave " + m + " out");
      }
    }
    JsonObject backoff = obj(r, "backoff");
    Duration base = duration(backoff, "base", at + ".backoff.base", RetryConfig.NONE.backoffBase());
    Duration max = duration(backoff, "max", at + ".backoff.max", RetryConfig.NONE.backoffMax());
    if (base.compareTo(max) > 0) {
      problem(at + ".backoff", "base " + base + " is above max " + max);
    }
    JsonObject budget = obj(r, "budget");
    double ratio = budget.getValue("ratio") instanceof Number n ? n.doubleValue() : RetryConfig.NONE.budgetRatio();
    return new RetryConfig(integer(r, "count", 0), statuses, reasons, methods, limit, base, max, ratio,
      integer(budget, "minPerSecond", RetryConfig.NONE.budgetMinPerSecond()), grpcStatuses(r));
  }

  private BackendTarget target(String at, String url, Listeners listeners) {
    if (FabricName.isFabricUrl(url)) {
      try {
        return new BackendTarget.ServiceFabric(FabricName.parseService(url), ServiceFabricCluster.DEFAULT);
      } catch (InvalidFabricNameException e) {
        problem(at, e.getMessage());
        return null;
      }
    }
    if (url.contains("://") || url.contains(":/")) {
      BackendTarget.FixedUrl fixed = absoluteUrl(at, url);
      if (fixed != null && pointsAtSelf(fixed, listeners)) {
        problem(at, "points at this gateway's own traffic listener (" + fixed.authority()
          + "); requests would loop back into the gateway");
        return null;
      }
      return fixed;
    }
    if (!SERVICE_NAME.matcher(url).matches()) {
      problem(at, "'" + url + "' is neither an absolute http(s):// URL nor a registry service name"
        + " (letters, digits, '.', '_', '-')");
      return null;
    }
    return new BackendTarget.RegistryService(url);
  }

  private BackendTarget.FixedUrl absoluteUrl(String at, String url) {
    HttpUrl u;
    try {
      u = HttpUrl.parse(url);
    } catch (IllegalArgumentException e) {
      problem(at, e.getMessage().equals("URL carries user info")
        ? "URL carries user info; put credentials in the backend's 'credentials' block"
        : "malformed URL '" + url + "': " + e.getMessage());
      return null;
    }
    if (u.query() != null || u.fragment() != null) {
      problem(at, "a base URL takes no query or fragment; use credentials.query for query parameters");
      return null;
    }
    return new BackendTarget.FixedUrl(url, u);
  }

  private boolean pointsAtSelf(BackendTarget.FixedUrl url, Listeners listeners) {
    Listeners.Listener traffic = listeners.traffic();
    if (traffic.port() == 0 || url.port() != traffic.port()) {
      return false;
    }
    String bound = traffic.host();
    boolean wildcard = bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]");
    if (url.host().equalsIgnoreCase(bound)) {
      return true;
    }
    return localAddresses.isLocal(url.host()) && (wildcard || localAddresses.isLocal(bound));
  }

  private Credentials credentials(String at, JsonObject c) {
    Map<String, List<String>> headers = stringListMap(at + ".header", obj(c, "header"));
    Map<String, List<String>> query = stringListMap(at + ".query", obj(c, "query"));
    Credentials.Authorization authorization = null;
    JsonObject a = obj(c, "authorization");
    if (a.containsKey("scheme") && a.containsKey("parameter")) {
      authorization = new Credentials.Authorization(substitute(at + ".authorization.scheme", str(a, "scheme", "")),
        substitute(at + ".authorization.parameter", str(a, "parameter", "")));
    }
    for (String h : headers.keySet()) {
      if (!h.matches("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")) {
        problem(at + ".header." + h, "not a valid HTTP header name");
      }
    }
    TlsCertificate certificate = null;
    JsonArray ids = arr(c, "certificateIds");
    for (int i = 0; i < ids.size(); i++) {
      if (ids.getValue(i) instanceof String id) {
        certificate = certificate(at + ".certificateIds[" + i + "]", id);
      }
    }
    return headers.isEmpty() && query.isEmpty() && authorization == null && certificate == null ? Credentials.NONE
      : new Credentials(headers, query, authorization, certificate);
  }

  private Map<String, List<String>> stringListMap(String at, JsonObject m) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    m.forEach(e -> {
      List<String> values = new ArrayList<>();
      if (e.getValue() instanceof String s) {
        values.add(substitute(at + "." + e.getKey(), s));
      } else if (e.getValue() instanceof JsonArray arr) {
        for (int i = 0; i < arr.size(); i++) {
          if (arr.getValue(i) instanceof String s) {
            values.add(substitute(at + "." + e.getKey() + "[" + i + "]", s));
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
    // ids of backends that failed validation still count as defined: their own problem is reported once
    arr(raw, "backends").forEach(b -> {
      if (b instanceof JsonObject o && o.getValue("id") instanceof String s) {
        backendIds.add(s);
      }
    });
    for (int i = 0; i < list.size(); i++) {
      String at = "apis[" + i + "]";
      JsonObject a = list.getValue(i) instanceof JsonObject o ? o : new JsonObject();
      String id = str(a, "id", null);
      String path = str(a, "path", null);
      if (id == null || path == null) {
        continue;
      }
      JsonObject sbs = a.getValue("set-backend-service") instanceof JsonObject o ? o : null;
      // apis[].openapi: the document may name the backend (servers[0]) and gives the operations
      boolean imported = a.containsKey("openapi");
      OpenApiDefinition openapi = imported ? openApiDocument(at + ".openapi", obj(a, "openapi")) : null;
      String backend = chooseBackend(at, str(a, "backend", null), sbs, !imported, backendIds, backends, listeners);
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
      JsonArray ops = arr(a, "operations");
      for (int j = 0; j < ops.size(); j++) {
        String oat = at + ".operations[" + j + "]";
        JsonObject o = ops.getValue(j) instanceof JsonObject x ? x : new JsonObject();
        String method = str(o, "method", null);
        String opPath = str(o, "path", null);
        if (method == null || opPath == null) {
          continue;
        }
        String opId = str(o, "id", method + " " + opPath);
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
        String opBackend = chooseBackend(oat, str(o, "backend", null), opSbs, false, backendIds, backends, listeners);
        FabricAttributes opSf = fabricAttributes(oat + ".set-backend-service", opSbs);
        OperationConfig op = new OperationConfig(opId, method, opPath, opBackend, opSf,
          policies(oat + ".policies", o.getValue("policies"), o.getValue("inheritPolicies"), false),
          websocket(oat + ".websocket", o.getValue("websocket")), Boolean.FALSE.equals(o.getValue("websocket")));
        if (template != null) {
          checkFabricRoute(oat, op.overridesBackendService() ? oat + ".set-backend-service" : at + ".set-backend-service",
            opBackend != null ? opBackend : backend, op.overridesBackendService() ? opSf : sf, template, backends,
            !op.overridesBackendService());
        }
        operations.add(op);
      }
      if (imported) {
        openApiOperations(at, openapi, ops, operations);
      }
      if (operations.isEmpty() && ops.isEmpty()) {
        checkFabricRoute(at, at + ".set-backend-service", backend, sf, null, backends, false);
      } else if (hasAttributes(sbs) && backend != null && isKnownBackend(backend, backends) && !isFabric(backend, backends)) {
        problem(at + ".set-backend-service", "sf-* attributes apply to Service Fabric backends; backend '"
          + backend + "' is not one (its url is no fabric:/ name)");
      }
      RetryConfig retry = retry(at + ".retry", obj(a, "retry"));
      PolicyScopeConfig apiPolicies = policies(at + ".policies", a.getValue("policies"), a.getValue("inheritPolicies"), false);
      if (prefix != null && backend != null) {
        out.add(new ApiConfig(id, prefix, backend, operations, retry, sf, apiPolicies, openapi,
          websocket(at + ".websocket", a.getValue("websocket"))));
      }
    }
    return out;
  }

  // --- apis[].openapi (OpenAPI import) ------------------------------------------------------

  private static final Pattern BODY_SIZE = Pattern.compile("^([0-9]{1,10})\\s*(B|KiB|MiB)?$");

  /** Reads and checks the API's OpenAPI document; its problems are reported at {@code at}, one per line. */
  private OpenApiDefinition openApiDocument(String at, JsonObject o) {
    String file = str(o, "file", null);
    String url = str(o, "url", null);
    if ((file == null) == (url == null)) {
      problem(at, "needs exactly one of 'file' (a path) or 'url' (http or https)");
      return null;
    }
    if (url != null) {
      url = substitute(at + ".url", url);
      if (!url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
        problem(at + ".url", "'" + url + "' is not an http:// or https:// URL (a local document is a 'file')");
        return null;
      }
    }
    JsonObject v = obj(o, "validate");
    long maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    Object size = v.getValue("maxBodySize");
    if (size instanceof Number n) {
      maxBody = n.longValue();
    } else if (size instanceof String text) {
      Matcher m = BODY_SIZE.matcher(text.strip());
      if (m.matches()) {
        long unit = m.group(2) == null || m.group(2).equals("B") ? 1 : m.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        maxBody = Long.parseLong(m.group(1)) * unit;
      } else {
        problem(at + ".validate.maxBodySize", "'" + text + "' is not a size: bytes, or a number with KiB or MiB (1MiB)");
      }
    }
    if (maxBody < 1 || maxBody > MAX_VALIDATED_BODY) {
      problem(at + ".validate.maxBodySize", "must be between 1 byte and " + MAX_VALIDATED_BODY / (1024 * 1024)
        + " MiB (the body is held in memory while it is checked), got " + maxBody);
      maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    }
    OpenApiSource source = new OpenApiSource(file, url, new OpenApiSource.Validation(bool(v, "parameters", false),
      bool(v, "content", false), maxBody));
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
      // a document Vert.x OpenAPI chokes on in a way of its own: still a problem of this field, not a crash
      problem(at, source.location() + ": cannot be imported: " + RootCause.message(e));
      return null;
    }
  }

  /** The largest body request validation holds: 64 MiB. */
  private static final long MAX_VALIDATED_BODY = 64L * 1024 * 1024;

  /** An imported API without a backend of its own goes to the document's first server. */
  private String openApiBackend(String at, OpenApiDefinition openapi, Set<String> backendIds,
                                List<BackendConfig> backends, Listeners listeners) {
    if (openapi == null) {
      return null;   // the document's problem is reported
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
  private void openApiOperations(String at, OpenApiDefinition openapi, JsonArray configured,
                                 List<OperationConfig> operations) {
    if (!configured.isEmpty()) {
      problem(at + ".operations", "an API imported from OpenAPI (openapi) takes its operations from the document:"
        + " drop 'operations', or drop 'openapi' and list them all");
      return;
    }
    if (openapi != null) {
      openapi.operations().forEach(op -> operations.add(new OperationConfig(op.id(), op.method(), op.path(), null)));
    }
  }

  // --- end apis[].openapi --------------------------------------------------------------------

  /**
   * The backend one level (API or operation) names: {@code backend}, or set-backend-service's
   * {@code backend-id} or {@code base-url}; they say the same thing, so at most one is given
   * (exactly one on an API). A base-url becomes the configured backend with that URL, or an
   * implicit backend of its own (APIM's automatic backend matching).
   */
  private String chooseBackend(String at, String backend, JsonObject sbs, boolean required, Set<String> backendIds,
                               List<BackendConfig> backends, Listeners listeners) {
    String backendId = sbs == null ? null : str(sbs, "backend-id", null);
    String baseUrl = sbs == null ? null : str(sbs, "base-url", null);
    int given = (backend != null ? 1 : 0) + (backendId != null ? 1 : 0) + (baseUrl != null ? 1 : 0);
    if (given > 1) {
      problem(at, "names its backend more than once ('backend', set-backend-service 'backend-id' and 'base-url'"
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
      return implicitBackend(at + ".set-backend-service.base-url", substitute(at + ".set-backend-service.base-url", baseUrl),
        backendIds, backends, listeners);
    }
    if (required) {
      problem(at + ".backend", "required: give 'backend' (or set-backend-service with 'backend-id' or 'base-url')");
    }
    return null;
  }

  private String implicitBackend(String at, String url, Set<String> backendIds, List<BackendConfig> backends,
                                 Listeners listeners) {
    if (FabricName.isFabricUrl(url)) {
      problem(at, "a Service Fabric service is reached through a backend whose url is its fabric:/ name (with its"
        + " serviceFabricCluster settings): name that backend in backend-id");
      return null;
    }
    BackendTarget.FixedUrl fixed = absoluteUrl(at, url);
    if (fixed == null) {
      return null;
    }
    if (pointsAtSelf(fixed, listeners)) {
      problem(at, "points at this gateway's own traffic listener (" + fixed.authority()
        + "); requests would loop back into the gateway");
      return null;
    }
    for (BackendConfig b : backends) {
      if (b instanceof SingleBackendConfig s && s.target() instanceof BackendTarget.FixedUrl f && f.ssl() == fixed.ssl()
        && f.host().equalsIgnoreCase(fixed.host()) && f.port() == fixed.port() && f.basePath().equals(fixed.basePath())) {
        return b.id();   // APIM's automatic backend matching: that backend's settings apply
      }
    }
    String id = (fixed.ssl() ? "https://" : "http://") + fixed.authority() + fixed.basePath();
    if (backendIds.add(id)) {
      backends.add(new SingleBackendConfig(id, "set-backend-service base-url " + id, fixed, Credentials.NONE,
        TlsConfig.DEFAULT, Timeouts.DEFAULT, CircuitBreakerConfig.DEFAULT, LoadBalancingConfig.DEFAULT));
    }
    return id;
  }

  /** The sf-* attributes of a set-backend-service, validated; {@code null} without one. */
  private FabricAttributes fabricAttributes(String at, JsonObject sbs) {
    if (sbs == null) {
      return null;
    }
    PartitionKeyExpression key = null;
    String keyText = str(sbs, "sf-partition-key", null);
    if (keyText != null) {
      try {
        key = PartitionKeyExpression.parse(keyText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-partition-key", e.getMessage());
      }
    }
    ReplicaSelector replica = null;
    try {
      replica = ReplicaSelector.parseApimReplicaType(str(sbs, "sf-replica-type", null)).orElse(null);
    } catch (IllegalArgumentException e) {
      // reported by the schema
    }
    ResolveCondition condition = null;
    String conditionText = str(sbs, "sf-resolve-condition", null);
    if (conditionText != null) {
      try {
        condition = ResolveCondition.parse(conditionText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-resolve-condition", e.getMessage());
      }
    }
    FabricName instance = null;
    String instanceText = str(sbs, "sf-service-instance-name", null);
    if (instanceText != null) {
      try {
        instance = FabricName.parseService(instanceText);
      } catch (InvalidFabricNameException e) {
        problem(at + ".sf-service-instance-name", e.getMessage());
      }
    }
    return new FabricAttributes(key, replica, str(sbs, "sf-listener-name", null), condition, instance);
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
   * @param inherited the attributes come from the API (reported on the operation that inherits them)
   */
  private void checkFabricRoute(String at, String sfAt, String backend, FabricAttributes sf, PathTemplate template,
                                List<BackendConfig> backends, boolean inherited) {
    if (sf == null || backend == null || !isKnownBackend(backend, backends)) {
      return;
    }
    boolean any = sf.partitionKey() != null || sf.replicaType() != null || sf.listenerName() != null
      || sf.resolveCondition() != null || sf.serviceInstanceName() != null;
    if (!any) {
      return;
    }
    if (!isFabric(backend, backends)) {
      if (!inherited) {
        problem(sfAt, "sf-* attributes apply to Service Fabric backends; backend '" + backend
          + "' is not one (its url is no fabric:/ name)");
      }
      return;
    }
    if (sf.partitionKey() != null) {
      try {
        sf.partitionKey().bind(template);
      } catch (IllegalArgumentException e) {
        problem(inherited ? at : sfAt + ".sf-partition-key", inherited
          ? "inherits sf-partition-key '" + sf.partitionKey().source() + "' from its API, but " + e.getMessage()
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

  // --- Service Fabric clusters ---------------------------------------------------------------

  private ServiceFabricCluster serviceFabricCluster(String at, JsonObject c) {
    List<String> endpoints = new ArrayList<>();
    arr(c, "managementEndpoints").forEach(x -> {
      if (x instanceof String str) {
        endpoints.add(str);
      }
    });
    List<String> thumbprints = new ArrayList<>();
    arr(c, "serverCertificateThumbprints").forEach(x -> {
      if (x instanceof String str) {
        thumbprints.add(str);
      }
    });
    List<ImporterConfig.ServerName> names = new ArrayList<>();
    arr(c, "serverX509Names").forEach(x -> {
      if (x instanceof JsonObject o) {
        names.add(new ImporterConfig.ServerName(str(o, "name", ""), str(o, "issuerCertificateThumbprint", null)));
      }
    });
    if (c.containsKey("importer") && endpoints.isEmpty()) {
      problem(at + ".importer", "imports from managementEndpoints, and there are none");
    }
    String certId = str(c, "clientCertificateId", null);
    if (certId != null) {
      certificate(at + ".clientCertificateId", certId);
    }
    for (String k : CLUSTER_TLS_FIELDS) {
      if (c.containsKey(k) && endpoints.stream().noneMatch(ConfigBinder::isHttps)) {
        problem(at + "." + k, "secures the connection to https managementEndpoints, and "
          + (endpoints.isEmpty() ? "there are none" : "none of them is https"));
      }
    }
    return new ServiceFabricCluster(endpoints, integer(c, "maxPartitionResolutionRetries",
      ServiceFabricCluster.DEFAULT_MAX_PARTITION_RESOLUTION_RETRIES), str(c, "clientCertificateId", null), thumbprints,
      names, null);
  }

  /**
   * One importer per distinct cluster (the same set of management endpoints): its settings are
   * those of the first backend naming the cluster, its name {@code importer.name} or
   * {@code sf-<that backend's id>}. Two clusters may not share an endpoint, nor a name.
   */
  private void bindImporters(List<BackendConfig> out) {
    record Cluster(Set<String> endpoints, PendingCluster first, ImporterConfig config) {
    }
    List<Cluster> clusters = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (PendingCluster pc : fabricClusters) {
      SingleBackendConfig b = (SingleBackendConfig) out.get(pc.index());
      ServiceFabricCluster sfc = ((BackendTarget.ServiceFabric) b.target()).cluster();
      if (sfc.managementEndpoints().isEmpty()) {
        continue;
      }
      Set<String> key = new TreeSet<>();
      for (String e : sfc.managementEndpoints()) {
        String n = e.strip().toLowerCase(Locale.ROOT);
        while (n.endsWith("/")) {
          n = n.substring(0, n.length() - 1);
        }
        key.add(n);
      }
      Cluster same = null;
      for (Cluster c : clusters) {
        if (c.endpoints().equals(key)) {
          same = c;
        } else if (c.endpoints().stream().anyMatch(key::contains)) {
          problem(pc.at() + ".serviceFabricCluster.managementEndpoints", "shares a management endpoint with the cluster of "
            + c.first().at() + " ('" + c.first().backendId() + "'): list the same endpoints (one cluster) or disjoint ones");
        }
      }
      JsonObject importer = obj(pc.json(), "importer");
      ImporterConfig config;
      if (same != null) {
        if (!importer.isEmpty() && !importer.equals(obj(same.first().json(), "importer"))) {
          problem(pc.at() + ".serviceFabricCluster.importer", "the cluster is already imported with the settings of "
            + same.first().at() + " ('" + same.first().backendId() + "'): give importer settings once");
        }
        for (String k : CLUSTER_TLS_FIELDS) {
          Object mine = pc.json().getValue(k);
          if (mine != null && !mine.equals(same.first().json().getValue(k))) {
            problem(pc.at() + ".serviceFabricCluster." + k, "differs from the same cluster's setting in "
              + same.first().at() + " ('" + same.first().backendId() + "'): one cluster, one TLS identity");
          }
        }
        config = same.config();
      } else {
        config = importerConfig(pc.at() + ".serviceFabricCluster", sfc, obj(pc.json(), "importer"),
          "sf-" + pc.backendId());
        if (config != null) {
          String other = names.putIfAbsent(config.name(), pc.at());
          if (other != null) {
            problem(pc.at() + ".serviceFabricCluster.importer.name", "importer name '" + config.name()
              + "' is already used by the cluster of " + other + "; each cluster's importer needs its own name");
          }
        }
        clusters.add(new Cluster(key, pc, config));
      }
      if (config != null) {
        out.set(pc.index(), new SingleBackendConfig(b.id(), b.title(), new BackendTarget.ServiceFabric(
          ((BackendTarget.ServiceFabric) b.target()).service(), new ServiceFabricCluster(sfc.managementEndpoints(),
          sfc.maxPartitionResolutionRetries(), sfc.clientCertificateId(), sfc.serverCertificateThumbprints(),
          sfc.serverX509Names(), config)), b.credentials(), b.tls(), b.timeouts(), b.breaker(), b.loadBalancing(),
          b.protocol()));
      }
    }
  }

  private ImporterConfig importerConfig(String at, ServiceFabricCluster sfc, JsonObject i, String defaultName) {
    String iat = at + ".importer";
    ImporterConfig.Builder builder = ImporterConfig.builder(sfc.managementEndpoints().toArray(new String[0]))
      .name(str(i, "name", defaultName))
      .interval(duration(i, "interval", iat + ".interval", null))
      .requestTimeout(duration(i, "requestTimeout", iat + ".requestTimeout", null))
      .staleAfter(duration(i, "staleAfter", iat + ".staleAfter", null),
        integer(i, "staleAfterFailures", ImporterConfig.DEFAULT_STALE_AFTER_FAILURES))
      .parallelism(integer(i, "parallelism", ImporterConfig.DEFAULT_PARALLELISM))
      .batchSize(integer(i, "batchSize", ImporterConfig.DEFAULT_BATCH_SIZE))
      .reresolveInterval(duration(i, "reresolveInterval", iat + ".reresolveInterval", null));
    List<FabricName> apps = new ArrayList<>();
    JsonArray list = arr(i, "applications");
    for (int k = 0; k < list.size(); k++) {
      if (list.getValue(k) instanceof String app) {
        try {
          apps.add(FabricName.parse(app));
        } catch (InvalidFabricNameException e) {
          problem(iat + ".applications[" + k + "]", e.getMessage());
        }
      }
    }
    builder.applications(apps);
    builder.tls(importerTls(at, sfc, i.getValue("tls") instanceof JsonObject t ? t : null));
    try {
      return builder.build();
    } catch (InvalidImporterConfigException e) {
      for (String reason : e.problems()) {
        problem(reason.startsWith("managementEndpoints") ? at + ".managementEndpoints" : iat, reason);
      }
      return null;
    }
  }

  /**
   * TLS towards the management endpoints: APIM's {@code clientCertificateId} and server pins,
   * or Portico's {@code importer.tls} (PEM files), the certificate read and checked now.
   */
  private ImporterConfig.Tls importerTls(String at, ServiceFabricCluster sfc, JsonObject t) {
    String certId = sfc.clientCertificateId();
    boolean pins = !sfc.serverCertificateThumbprints().isEmpty() || !sfc.serverX509Names().isEmpty();
    boolean https = sfc.managementEndpoints().stream().anyMatch(ConfigBinder::isHttps);
    if (t == null && (!https || certId == null && !pins)) {
      return null;  // nothing to secure, or the APIM fields' problem is already reported
    }
    t = t == null ? new JsonObject() : t;
    String tat = at + ".importer.tls";
    boolean pemFiles = t.containsKey("certPath") || t.containsKey("keyPath");
    KeyCertOptions client = null;
    if (certId != null) {
      if (pemFiles) {
        problem(tat + ".certPath", "the cluster already has clientCertificateId '" + certId
          + "': give one client certificate");
      }
      TlsCertificate cert = certificates.get(certId);
      client = cert == null ? null : cert.keyCert();
    } else if (pemFiles) {
      TlsCertificate cert = pemFiles(tat, t, tat);
      client = cert == null ? null : cert.keyCert();
    }
    String caPath = str(t, "caPath", null);
    if (caPath != null && !Files.isReadable(Path.of(caPath))) {
      problem(tat + ".caPath", "cannot read '" + caPath + "'");
    }
    return new ImporterConfig.Tls(client, caPath, bool(t, "trustAll", false), bool(t, "verifyHost", true),
      sfc.serverCertificateThumbprints(), sfc.serverX509Names());
  }

  private static boolean isHttps(String url) {
    return url.strip().regionMatches(true, 0, "https:", 0, 6);
  }

  private void checkBackendRef(String at, String ref, Set<String> backendIds) {
    if (!backendIds.contains(ref)) {
      problem(at, "unknown backend '" + ref + "'" + (backendIds.isEmpty() ? " (no backends are defined)"
        : " (defined: " + String.join(", ", backendIds.stream().sorted().toList()) + ")"));
    }
  }

  private String normalizePrefix(String at, String path) {
    if (!path.startsWith("/")) {
      problem(at, "must start with '/'");
      return null;
    }
    if (path.contains("?") || path.contains("#") || path.contains("{") || path.contains("*")) {
      problem(at, "an API path is a plain prefix: no query, fragment, template or wildcard (use operations)");
      return null;
    }
    if (path.contains("//") || path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
      problem(at, "must be a normalized path (no empty, '.' or '..' segments)");
      return null;
    }
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  // --- observability -------------------------------------------------------------------------

  private MetricsConfig metrics(JsonObject m) {
    List<Double> buckets = new ArrayList<>();
    JsonArray list = arr(m, "latencyBuckets");
    double previous = 0;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof Number n) || !(n.doubleValue() > 0)) {
        continue; // reported by the schema
      }
      double b = n.doubleValue();
      if (b <= previous) {
        problem("metrics.latencyBuckets[" + i + "]", "must be greater than the bucket before it (" + previous
          + "): bucket bounds are strictly increasing");
      }
      previous = Math.max(previous, b);
      buckets.add(b);
    }
    if (problems.stream().anyMatch(p -> p.path().startsWith("metrics.latencyBuckets"))) {
      buckets.clear();
    }
    boolean vertx = bool(m, "vertx", true);
    boolean vertxHttp = bool(m, "vertxHttp", false);
    if (vertxHttp && !vertx) {
      problem("metrics.vertxHttp", "adds to Vert.x's meters, which metrics.vertx turns off");
    }
    return new MetricsConfig(bool(m, "enabled", true), bool(m, "jvm", true), vertx, vertxHttp, buckets);
  }

  private AccessLogConfig accessLog(JsonObject a) {
    String output = str(a, "output", AccessLogConfig.STDOUT);
    boolean enabled = bool(a, "enabled", false);
    if (enabled && !output.equals(AccessLogConfig.STDOUT)) {
      try {
        Path file = Path.of(output).toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)) {
          problem("accessLog.output", "'" + output + "' is a directory; give a file path or 'stdout'");
        } else if (dir == null || !Files.isDirectory(dir)) {
          problem("accessLog.output", "the directory of '" + output + "' does not exist");
        } else if (!Files.isWritable(dir) && !Files.isWritable(file)) {
          problem("accessLog.output", "cannot write to '" + output + "' (directory not writable)");
        }
      } catch (RuntimeException e) {
        problem("accessLog.output", "'" + output + "' is not a valid file path: " + e.getMessage());
      }
    }
    return new AccessLogConfig(enabled, output);
  }

  // --- tracing (issue 17) --------------------------------------------------------------------

  private TracingConfig tracing(JsonObject t) {
    TracingConfig d = TracingConfig.DEFAULT;
    String protocolText = str(t, "protocol", d.protocol().label());
    TracingConfig.Protocol protocol = TracingConfig.Protocol.of(protocolText);
    if (protocol == null) {
      protocol = d.protocol(); // reported by the schema (an enum)
    }
    String endpoint = str(t, "endpoint", protocol.defaultEndpoint());
    try {
      URI uri = new URI(endpoint);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        problem("tracing.endpoint", "'" + endpoint + "' must be an http:// or https:// URL with a host");
      } else if (protocol == TracingConfig.Protocol.GRPC && uri.getRawPath() != null && uri.getRawPath().length() > 1) {
        problem("tracing.endpoint", "a grpc endpoint is the collector's base URL (like http://collector:4317), without"
          + " a path; got '" + endpoint + "'");
      } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problem("tracing.endpoint", "'" + endpoint + "' must not carry a query or fragment");
      }
    } catch (URISyntaxException e) {
      problem("tracing.endpoint", "'" + endpoint + "' is not a URL: " + e.getReason());
    }
    double ratio = d.samplingRatio();
    if (t.getValue("samplingRatio") instanceof Number n) {
      // out of [0, 1]: reported by the schema
      ratio = n.doubleValue() >= 0 && n.doubleValue() <= 1 ? n.doubleValue() : ratio;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject h = obj(t, "headers");
    for (String name : h.fieldNames()) {
      if (!(h.getValue(name) instanceof String value)) {
        continue; // reported by the schema
      }
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        problem("tracing.headers." + name, "is not a valid HTTP header name");
      } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
        problem("tracing.headers." + name, "a header value must not contain CR, LF or NUL");
      } else {
        headers.put(name, substitute("tracing.headers." + name, value));
      }
    }
    String serviceName = str(t, "serviceName", null);
    if (serviceName != null && serviceName.isBlank()) {
      problem("tracing.serviceName", "must not be blank (leave it out to use the gateway id)");
      serviceName = null;
    }
    int queue = integer(t, "maxQueueSize", d.maxQueueSize());
    int batch = integer(t, "maxExportBatchSize", Math.min(d.maxExportBatchSize(), queue));
    if (queue < 1 || batch < 1) {
      // reported by the schema
      queue = d.maxQueueSize();
      batch = d.maxExportBatchSize();
    } else if (batch > queue) {
      problem("tracing.maxExportBatchSize", "must be between 1 and tracing.maxQueueSize (" + queue + "), got " + batch);
      batch = Math.min(d.maxExportBatchSize(), queue);
    }
    Duration delay = duration(t, "scheduleDelay", "tracing.scheduleDelay", d.scheduleDelay());
    Duration timeout = duration(t, "exportTimeout", "tracing.exportTimeout", d.exportTimeout());
    return new TracingConfig(bool(t, "enabled", false), endpoint, protocol, ratio, headers, serviceName, queue, batch,
      delay, timeout);
  }

  // --- named values -------------------------------------------------------------------------

  /** Replaces every {@code {{name}}} in {@code value}; an unknown name is a problem at {@code at}. */
  private String substitute(String at, String value) {
    if (value.indexOf("{{") < 0) {
      return value;
    }
    Matcher m = NAMED_VALUE_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      NamedValue nv = namedValues.get(m.group(1));
      if (nv == null) {
        problem(at, "unknown named value '{{" + m.group(1) + "}}'");
        m.appendReplacement(out, "");
      } else {
        m.appendReplacement(out, Matcher.quoteReplacement(nv.value()));
      }
    }
    m.appendTail(out);
    return out.toString();
  }

  // --- tolerant accessors -------------------------------------------------------------------

  private Duration duration(JsonObject o, String key, String at, Duration def) {
    Object v = o.getValue(key);
    if (!(v instanceof String s)) {
      return def;
    }
    try {
      Duration d = Duration.parse(s);
      if (d.isNegative() || d.isZero()) {
        problem(at, "must be a positive duration, got '" + s + "'");
        return def;
      }
      return d;
    } catch (DateTimeParseException e) {
      problem(at, "'" + s + "' is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)");
      return def;
    }
  }

  /**
   * Binds one scope's {@code policies} (the schema checked their shape; this binds and checks their
   * meaning). What needs the running gateway (templates against named values, keys, address ranges,
   * a Redis store) is checked when the routing state compiles them.
   */
  private PolicyScopeConfig policies(String at, Object list, Object inherit, boolean global) {
    List<PolicyProblem> found = new ArrayList<>();
    PolicyScopeConfig scope;
    try {
      scope = PolicyConfigBinder.bindScope(at, list, inherit instanceof Boolean b ? b : null, global, found);
    } catch (RuntimeException e) {
      problem(at, "cannot be read: " + e.getMessage());
      return PolicyScopeConfig.INHERIT;
    }
    found.forEach(p -> problem(p.path(), p.reason()));
    return scope;
  }

  private static JsonObject obj(JsonObject o, String key) {
    return o.getValue(key) instanceof JsonObject j ? j : new JsonObject();
  }

  private static JsonArray arr(JsonObject o, String key) {
    return o.getValue(key) instanceof JsonArray a ? a : new JsonArray();
  }

  private static String str(JsonObject o, String key, String def) {
    return o.getValue(key) instanceof String s ? s : def;
  }

  private static int integer(JsonObject o, String key, int def) {
    return o.getValue(key) instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.intValue() : def;
  }

  private static boolean bool(JsonObject o, String key, boolean def) {
    return o.getValue(key) instanceof Boolean b ? b : def;
  }

  private static String stripFinalNewline(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private void problem(String path, String reason) {
    String origin = origins.get(path);
    problems.add(new SchemaCheck.FieldProblem(path, origin == null ? reason : reason + " (set by environment variable " + origin + ")"));
  }
}
