package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.objectAt;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.sources.DnsSrvOptions;
import dev.portico.discovery.sources.KubernetesOptions;
import dev.portico.discovery.sources.SourceOptions;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.RegistryConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code registry} section: its backend (local or Redis), the instances it declares, its
 * sources (DNS SRV, Kubernetes).
 */
final class RegistryBinder extends Binding {

  RegistryBinder(Binding parent) {
    super(parent);
  }

  /**
   * The registry's own fields with the schema's defaults (its durations bind last: their problems
   * come last).
   */
  private record RegistryFields(String backend, String announceAddress) {}

  private record RegistryTimes(Duration refreshInterval, Duration timeout) {}

  /** {@code registry.redis} with the schema's defaults. */
  private record RedisFields(String endpoint, String password, String key, int maxPoolSize) {}

  /** An instance's status (the schema's default: UP). */
  private record InstanceFields(String status) {}

  /** A DNS SRV source's back-off bounds (checked in order before the rest binds). */
  private record Intervals(Duration minInterval, Duration maxInterval) {}

  private record Timeout(Duration timeout) {}

  private record WatchTimeout(Duration watchTimeout) {}

  /** A source's scheme and per-type switches with the schema's defaults. */
  private record SourceFlags(String scheme, boolean resolveTargets, String addressType) {}

  RegistryConfig registry(JsonObject r, Listeners listeners) {
    List<InstanceSpec> instances = new ArrayList<>();
    JsonArray list = array(r, "instances");
    for (int i = 0; i < list.size(); i++) {
      String at = "registry.instances[" + i + "]";
      JsonObject in = objectAt(list, i);
      String service = string(in, "service", null);
      String url = string(in, "url", null);
      if (service == null || url == null) {
        continue;
      }
      if (!SERVICE_NAME.matcher(service).matches()) {
        problem(
            at + ".service",
            "'" + service + "' is not a valid service name (letters, digits, '.', '_', '-')");
      }
      String urlAt = at + ".url";
      BackendTarget.FixedUrl fixed = absoluteUrl(urlAt, url);
      if (fixed == null) {
        continue;
      }
      loopsBack(urlAt, fixed, listeners);
      Map<String, String> metadata = Map.of();
      JsonObject m = object(in, "metadata");
      if (!m.isEmpty()) {
        Map<String, String> values = new HashMap<>();
        m.forEach(e -> values.put(e.getKey(), String.valueOf(e.getValue())));
        metadata = values;
      }
      // without a status the schema's default, UP, applies: most of tens of thousands of entries
      // skip the section binding
      InstanceStatus status = InstanceStatus.UP;
      if (in.containsKey("status")) {
        try {
          status = InstanceStatus.parse(sections.bindFields(in, at, InstanceFields.class).status());
        } catch (IllegalArgumentException e) {
          // reported by the schema
        }
      }
      instances.add(
          new InstanceSpec(
              service,
              fixed.host(),
              fixed.port(),
              fixed.ssl(),
              fixed.basePath(),
              status,
              metadata));
    }
    RegistryFields fields =
        sections.bind(
            new JsonObject()
                .put("backend", r.getValue("backend"))
                .put("announceAddress", r.getValue("announceAddress")),
            "registry",
            "registry",
            RegistryFields.class);
    String backend = fields.backend();
    RegistryConfig.Redis redis = redisRegistry(backend, r);
    List<SourceOptions> sources = sources(array(r, "sources"));
    for (int i = 0; i < instances.size(); i++) {
      String owner = instances.get(i).metadata().get(SourceRecords.SOURCE);
      if (owner != null && sources.stream().anyMatch(s -> s.id().equals(owner))) {
        problem(
            "registry.instances[" + i + "].metadata." + SourceRecords.SOURCE,
            "'"
                + owner
                + "' is the id of a registry source, which would remove this instance as not its own");
      }
    }
    JsonObject times =
        new JsonObject()
            .put("refreshInterval", r.getValue("refreshInterval"))
            .put("timeout", r.getValue("timeout"));
    RegistryTimes t = sections.bind(times, "registry", "registry", RegistryTimes.class);
    return new RegistryConfig(
        backend,
        redis,
        fields.announceAddress(),
        t.refreshInterval(),
        t.timeout(),
        instances,
        sources);
  }

  // --- registry sources (DNS SRV, Kubernetes) -----------------------------------------------

  private static final Map<String, Set<String>> SOURCE_FIELDS =
      Map.of(
          DnsSrvOptions.TYPE,
              Set.of(
                  "type",
                  "id",
                  "service",
                  "name",
                  "scheme",
                  "server",
                  "minInterval",
                  "maxInterval",
                  "timeout",
                  "resolveTargets"),
          KubernetesOptions.TYPE,
              Set.of(
                  "type",
                  "id",
                  "service",
                  "name",
                  "scheme",
                  "namespace",
                  "port",
                  "addressType",
                  "apiServer",
                  "tokenFile",
                  "caFile",
                  "timeout",
                  "watchTimeout"));

  private List<SourceOptions> sources(JsonArray list) {
    List<SourceOptions> out = new ArrayList<>();
    ConfigList ids = new ConfigList(problems, "registry source id");
    ConfigList.forEach(
        list,
        "registry.sources",
        entry -> {
          String at = entry.at();
          JsonObject s = entry.json();
          String type = entry.string("type", null);
          if (type == null || !SOURCE_FIELDS.containsKey(type)) {
            return; // reported by the schema (a missing type is no crash: Map.of holds no null)
          }
          for (String field : new TreeSet<>(s.fieldNames())) {
            if (!SOURCE_FIELDS.get(type).contains(field)) {
              String other =
                  type.equals(DnsSrvOptions.TYPE) ? KubernetesOptions.TYPE : DnsSrvOptions.TYPE;
              problem(
                  at + "." + field,
                  "does not apply to type "
                      + type
                      + (SOURCE_FIELDS.get(other).contains(field)
                          ? " (it is a field of type " + other + ")"
                          : ""));
            }
          }
          SourceOptions source =
              type.equals(DnsSrvOptions.TYPE) ? dnsSource(at, s) : kubernetesSource(at, s);
          if (source != null
              && ids.claim(
                  entry.at("id"),
                  source.id(),
                  s.containsKey("id")
                      ? ""
                      : " (the default, <type>:<service>: give each source its own id)")) {
            out.add(source);
          }
        });
    return out;
  }

  private DnsSrvOptions dnsSource(String at, JsonObject s) {
    String name = string(s, "name", null);
    String service = string(s, "service", null);
    if (name == null) {
      problem(
          at + ".name", "required: the SRV name to resolve, e.g. _http._tcp.orders.service.consul");
    }
    if (service == null) {
      problem(
          at + ".service",
          "required: the registry service the instances are published under (what backends name)");
    }
    if (name == null || service == null || !validServiceName(at + ".service", service)) {
      return null;
    }
    String host = null;
    int port = 53;
    String server = string(s, "server", null);
    if (server != null) {
      Matcher m =
          Pattern.compile(
                  "^(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)|([0-9A-Fa-f:]*:[0-9A-Fa-f:]*))(?::(\\d{1,5}))?$")
              .matcher(server.strip());
      // a bare IPv6 address has colons of its own: a port needs the bracketed form
      if (!m.matches() || (m.group(3) != null && m.group(4) != null)) {
        problem(
            at + ".server",
            "'"
                + server
                + "' is not an IP address with an optional port (10.0.0.2, 10.0.0.2:8600,"
                + " [fd00::2]:53): the DNS client needs its server's address, not a name to resolve");
        return null;
      }
      host = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (!io.netty.util.NetUtil.isValidIpV4Address(host)
          && !io.netty.util.NetUtil.isValidIpV6Address(host)) {
        problem(
            at + ".server",
            "'"
                + server
                + "' is not an IP address with an optional port (10.0.0.2, 10.0.0.2:8600,"
                + " [fd00::2]:53)");
        return null;
      }
      port = m.group(4) == null ? 53 : Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) {
        problem(at + ".server", "port " + port + " is out of range (1 to 65535)");
        return null;
      }
    }
    SourceFlags flags = sections.bindFields(s, at, SourceFlags.class);
    Intervals intervals = sections.bindFields(s, at, Intervals.class);
    Duration min = intervals.minInterval();
    Duration max = intervals.maxInterval();
    if (max.compareTo(min) < 0) {
      problem(at + ".maxInterval", max + " is shorter than minInterval (" + min + ")");
      return null;
    }
    return new DnsSrvOptions(
        string(s, "id", DnsSrvOptions.TYPE + ":" + service),
        service,
        name.endsWith(".") ? name.substring(0, name.length() - 1) : name,
        host,
        port,
        "https".equals(flags.scheme()),
        min,
        max,
        timeout(s, at, DnsSrvOptions.DEFAULT_TIMEOUT),
        flags.resolveTargets());
  }

  private KubernetesOptions kubernetesSource(String at, JsonObject s) {
    String name = string(s, "name", null);
    if (name == null) {
      problem(
          at + ".name",
          "required: the name of the Kubernetes Service whose EndpointSlices are read");
      return null;
    }
    String service = string(s, "service", name);
    if (!validServiceName(at + ".service", service)) {
      return null;
    }
    boolean ok = true;
    String namespace = string(s, "namespace", null);
    if (namespace == null) {
      namespace = readTrimmed(KubernetesOptions.IN_CLUSTER_NAMESPACE);
      if (namespace == null) {
        problem(
            at + ".namespace",
            "required outside a cluster (there is no "
                + KubernetesOptions.IN_CLUSTER_NAMESPACE
                + ")");
        ok = false;
      }
    }
    String apiServer = string(s, "apiServer", null);
    boolean inCluster = apiServer == null;
    if (inCluster) {
      String host = env.get("KUBERNETES_SERVICE_HOST");
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      if (host == null || host.isBlank()) {
        problem(
            at + ".apiServer", "required outside a cluster (KUBERNETES_SERVICE_HOST is not set)");
        return null;
      }
      apiServer = "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    } else {
      apiServer = namedValues.substitute(at + ".apiServer", apiServer);
    }
    try {
      URI uri = new URI(apiServer);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new URISyntaxException(apiServer, "not an http(s)://host[:port][/path] URL");
      }
    } catch (URISyntaxException e) {
      problem(at + ".apiServer", "'" + apiServer + "' is not an http(s)://host[:port][/path] URL");
      return null;
    }
    String tokenFile =
        string(s, "tokenFile", inCluster ? KubernetesOptions.IN_CLUSTER_TOKEN : null);
    if (tokenFile != null && !Files.isReadable(Path.of(tokenFile))) {
      problem(
          at + ".tokenFile",
          "cannot read '"
              + tokenFile
              + "'"
              + (s.containsKey("tokenFile")
                  ? ""
                  : " (the service account token: is automountServiceAccountToken off?)"));
      ok = false;
    }
    boolean https = apiServer.startsWith("https:");
    String caFile =
        string(s, "caFile", https && inCluster ? KubernetesOptions.IN_CLUSTER_CA : null);
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
    Duration timeout = timeout(s, at, KubernetesOptions.DEFAULT_TIMEOUT);
    Duration watchTimeout = sections.bindFields(s, at, WatchTimeout.class).watchTimeout();
    if (!ok) {
      return null;
    }
    SourceFlags flags = sections.bindFields(s, at, SourceFlags.class);
    return new KubernetesOptions(
        string(s, "id", KubernetesOptions.TYPE + ":" + service),
        service,
        namespace,
        name,
        string(s, "port", null),
        "https".equals(flags.scheme()),
        flags.addressType(),
        apiServer,
        tokenFile,
        caFile,
        timeout,
        watchTimeout);
  }

  /** A source's {@code timeout}: its type's own default when not given (the schema has none). */
  private Duration timeout(JsonObject s, String at, Duration typeDefault) {
    Duration t = sections.bindFields(s, at, Timeout.class).timeout();
    return t != null ? t : typeDefault;
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
        problem(
            "registry.redis", "is only used with 'backend: redis' (backend is '" + backend + "')");
      }
      return null;
    }
    RedisFields redis =
        sections.bind(object(r, "redis"), "registry.redis", "registry.redis", RedisFields.class);
    String endpoint = redis.endpoint();
    if (endpoint == null) {
      problem(
          "registry.redis.endpoint", "required with 'backend: redis' (e.g. redis://redis:6379)");
      return null;
    }
    endpoint = namedValues.substitute("registry.redis.endpoint", endpoint);
    String password =
        redis.password() != null
            ? namedValues.substitute("registry.redis.password", redis.password())
            : null;
    RegistryConfig.Redis out =
        new RegistryConfig.Redis(endpoint, password, redis.key(), redis.maxPoolSize());
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
}
