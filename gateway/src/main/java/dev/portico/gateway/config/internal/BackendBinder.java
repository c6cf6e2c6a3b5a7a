package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.ServiceFabricCluster;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsCertificate;
import dev.portico.gateway.config.TlsConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code backends} section: Single backends (a URL, a registry service or a {@code fabric:/}
 * name, with credentials, TLS, timeouts, breaker, balancing, protocol) and Pools of them. Fields
 * bind with the schema's defaults; what a schema cannot say (the URL's kind, fields that do not
 * apply to a kind, pool members that exist and are Single) is checked after.
 */
final class BackendBinder extends Binding {

  private final FabricClusters fabricClusters;
  private final BreakerBinder breakers;

  /**
   * Every backend id given, also of backends that failed to bind (reported once, at their entry).
   */
  private final ConfigList ids;

  BackendBinder(Binding parent, FabricClusters fabricClusters, BreakerBinder breakers) {
    super(parent);
    this.fabricClusters = fabricClusters;
    this.breakers = breakers;
    this.ids = new ConfigList(problems, "backend id");
  }

  /** A backend's own scalar fields. */
  private record BackendFields(
      String type, String title, String protocol, int maxConcurrentStreams) {}

  private record Balancing(String strategy, Affinity sessionAffinity) {}

  private record Affinity(String cookieName) {}

  private record Member(int priority, int weight) {}

  /** The ids of {@code backends[]}, in the configuration's order. */
  Set<String> ids() {
    return ids.ids();
  }

  List<BackendConfig> backends(JsonArray list, Listeners listeners) {
    List<BackendConfig> out = new ArrayList<>();
    Map<String, ConfigList.Entry> pools = new LinkedHashMap<>();
    ConfigList.forEach(
        list,
        "backends",
        entry -> {
          String id = entry.string("id", null);
          if (id == null || !ids.claim(entry.at("id"), id)) {
            return;
          }
          BackendFields f = sections.bindFields(entry.json(), entry.at(), BackendFields.class);
          if ("Pool".equals(f.type())) {
            if (poolFieldsOk(entry)) {
              pools.put(id, entry);
            }
          } else {
            single(entry, id, f, listeners, out);
          }
        });
    fabricClusters.bindImporters(out);
    Map<String, BackendConfig> singles = new HashMap<>();
    out.forEach(b -> singles.put(b.id(), b));
    pools.forEach((id, entry) -> out.add(pool(entry, id, pools.keySet(), singles)));
    return out;
  }

  /** A Pool's fields that belong to its members are refused; its {@code pool} is required. */
  private boolean poolFieldsOk(ConfigList.Entry entry) {
    JsonObject b = entry.json();
    for (String k :
        List.of("url", "protocol", "credentials", "tls", "timeouts", "circuitBreaker")) {
      if (b.containsKey(k)) {
        problem(
            entry.at(k), "a Pool backend has no " + k + ": its members (Single backends) carry it");
      }
    }
    if (!b.containsKey("pool")) {
      problem(entry.at("pool"), "required for a Pool backend");
      return false;
    }
    return true;
  }

  private void single(
      ConfigList.Entry entry,
      String id,
      BackendFields f,
      Listeners listeners,
      List<BackendConfig> out) {
    String at = entry.at();
    JsonObject b = entry.json();
    if (b.containsKey("pool")) {
      problem(at + ".pool", "only a backend of type Pool has members");
    }
    String url = string(b, "url", null);
    if (url == null) {
      problem(at + ".url", "required for a Single backend");
      return;
    }
    url = namedValues.substitute(at + ".url", url);
    BackendTarget target = target(at + ".url", url, listeners);
    if (target instanceof BackendTarget.ServiceFabric sf) {
      if (b.containsKey("loadBalancing")) {
        problem(
            at + ".loadBalancing",
            "a Service Fabric backend is not balanced: the partition key and"
                + " sf-replica-type choose the replica");
      }
      target =
          new BackendTarget.ServiceFabric(
              sf.service(),
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
        && target instanceof BackendTarget.FixedUrl fixed
        && !fixed.ssl()) {
      problem(
          at + ".credentials.certificateIds",
          "a client certificate is presented over https, and the url is http");
    }
    TlsConfig tls = sections.bind(object(b, "tls"), at + ".tls", TlsConfig.class);
    Timeouts timeouts = sections.bind(object(b, "timeouts"), at + ".timeouts", Timeouts.class);
    CircuitBreakerConfig breaker =
        b.containsKey("circuitBreaker")
            ? breakers.breaker(at + ".circuitBreaker", object(b, "circuitBreaker"))
            : CircuitBreakerConfig.DEFAULT;
    LoadBalancingConfig lb = loadBalancing(at + ".loadBalancing", object(b, "loadBalancing"));
    if (target != null) {
      out.add(
          new SingleBackendConfig(
              id,
              f.title() != null ? f.title() : id,
              target,
              credentials,
              tls,
              timeouts,
              breaker,
              lb,
              protocol(at, b, f)));
    }
  }

  private PoolBackendConfig pool(
      ConfigList.Entry entry, String id, Set<String> pools, Map<String, BackendConfig> singles) {
    List<PoolBackendConfig.Member> members = new ArrayList<>();
    ConfigList memberIds =
        new ConfigList(problems, mid -> "backend '" + mid + "' is already a member of this pool");
    ConfigList.forEach(
        array(object(entry.json(), "pool"), "services"),
        entry.at("pool.services"),
        m -> {
          String mid = m.string("id", null);
          if (mid == null) {
            return;
          }
          String idAt = m.at("id");
          if (!memberIds.claim(idAt, mid)) {
            // reported
          } else if (pools.contains(mid)) {
            problem(idAt, "'" + mid + "' is a Pool: pools cannot be nested");
          } else if (!singles.containsKey(mid)) {
            problem(
                idAt,
                "unknown backend '"
                    + mid
                    + "'"
                    + (singles.isEmpty()
                        ? ""
                        : " (Single backends: "
                            + String.join(", ", singles.keySet().stream().sorted().toList())
                            + ")"));
          } else if (BackendReferences.isFabric(singles.get(mid))) {
            problem(
                idAt,
                "'"
                    + mid
                    + "' is a Service Fabric backend: a pool balances interchangeable"
                    + " endpoints, a Service Fabric service is addressed by partition key; route"
                    + " to it directly");
          }
          Member member = sections.bindFields(m.json(), m.at(), Member.class);
          members.add(new PoolBackendConfig.Member(mid, member.priority(), member.weight()));
        });
    String title = entry.string("title", null);
    return new PoolBackendConfig(
        id,
        title != null ? title : id,
        members,
        loadBalancing(entry.at("loadBalancing"), object(entry.json(), "loadBalancing")));
  }

  private LoadBalancingConfig loadBalancing(String at, JsonObject lb) {
    Balancing b = sections.bindFields(lb, at, Balancing.class);
    return new LoadBalancingConfig(
        "leastRequests".equals(b.strategy())
            ? LoadBalancingConfig.Strategy.LEAST_REQUESTS
            : LoadBalancingConfig.Strategy.ROUND_ROBIN,
        b.sessionAffinity() == null ? null : b.sessionAffinity().cookieName());
  }

  /**
   * {@code protocol} ({@code http}, {@code http1}: HTTP/1.1; {@code http2}) and {@code
   * maxConcurrentStreams}.
   */
  private BackendProtocol protocol(String at, JsonObject b, BackendFields f) {
    boolean h2 = "http2".equals(f.protocol());
    if (!h2 && b.containsKey("maxConcurrentStreams")) {
      problem(at + ".maxConcurrentStreams", "applies to protocol: http2 only");
    }
    return new BackendProtocol(
        h2 ? BackendProtocol.Version.HTTP2 : BackendProtocol.Version.HTTP1,
        f.maxConcurrentStreams());
  }

  /**
   * What a backend's {@code url} names: a fixed URL, a Service Fabric service or a registry one.
   */
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
      if (fixed != null && loopsBack(at, fixed, listeners)) {
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
    JsonArray certificateIds = array(c, "certificateIds");
    for (int i = 0; i < certificateIds.size(); i++) {
      if (certificateIds.getValue(i) instanceof String id) {
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
}
