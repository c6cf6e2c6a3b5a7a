package dev.portico.gateway.reload;

import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.NamedValue;
import dev.portico.gateway.config.SingleBackendConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a new configuration changes compared with the running one. APIs, backends, named values and
 * certificates are swapped live (a new routing state); everything that owns a socket, a thread, a
 * file or a background task (listeners, upstream pools, the registry, metrics, the access log, the
 * admin token, demo backends, Service Fabric importers and which backends resolve through Service
 * Fabric) needs a restart, and a change to any of it refuses the whole reload.
 *
 * @param restartRequired the sections that differ but cannot change live, e.g. {@code listeners}
 * @param retireBreakers Single backends whose breakers start over: removed, or with another target
 *     or other breaker rules (in id order)
 */
public record ConfigChange(
    List<String> restartRequired,
    Diff apis,
    Diff backends,
    Diff namedValues,
    Set<String> retireBreakers) {

  /** Ids added, removed and changed in one section, each in id order. */
  public record Diff(Set<String> added, Set<String> removed, Set<String> changed) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    static <T> Diff of(Collection<T> before, Collection<T> after, Function<T, String> id) {
      Map<String, T> old = index(before, id);
      Map<String, T> now = index(after, id);
      SortedSet<String> added = new TreeSet<>(now.keySet());
      added.removeAll(old.keySet());
      SortedSet<String> removed = new TreeSet<>(old.keySet());
      removed.removeAll(now.keySet());
      SortedSet<String> changed = new TreeSet<>();
      now.forEach(
          (k, v) -> {
            if (old.containsKey(k) && !old.get(k).equals(v)) {
              changed.add(k);
            }
          });
      return new Diff(
          Collections.unmodifiableSortedSet(added),
          Collections.unmodifiableSortedSet(removed),
          Collections.unmodifiableSortedSet(changed));
    }
  }

  public static ConfigChange between(GatewayConfig running, GatewayConfig next) {
    List<String> restart = new ArrayList<>();
    // an id the gateway generated at start is not a change: the running one is kept
    if (next.gatewayIdConfigured() && !next.gatewayId().equals(running.gatewayId())) {
      restart.add("gateway.id");
    }
    same(restart, "gateway.eventLoops", running.eventLoops(), next.eventLoops());
    same(restart, "gateway.nativeTransport", running.nativeTransport(), next.nativeTransport());
    same(restart, "gateway.shutdown", running.shutdown(), next.shutdown());
    same(restart, "listeners", running.listeners(), next.listeners());
    same(restart, "upstream", running.upstream(), next.upstream());
    same(restart, "registry", running.registry(), next.registry());
    same(restart, "metrics", running.metrics(), next.metrics());
    same(restart, "accessLog", running.accessLog(), next.accessLog());
    same(restart, "tracing", running.tracing(), next.tracing());
    same(restart, "admin", running.admin(), next.admin());
    same(restart, "demo", running.demo(), next.demo());
    same(
        restart,
        "Service Fabric backends (which backends resolve fabric:/ names)",
        fabricBackends(running),
        fabricBackends(next));
    same(restart, "Service Fabric importers", running.fabricImporters(), next.fabricImporters());
    // they shape the process-wide policy environment (client address rule, counter bounds)
    same(restart, "policySettings", running.policySettings(), next.policySettings());

    Diff backends = Diff.of(running.backends(), next.backends(), BackendConfig::id);
    SortedSet<String> retire = new TreeSet<>();
    for (String id : backends.removed()) {
      if (endpointSettings(running.backend(id).orElseThrow()) != null) {
        retire.add(id);
      }
    }
    for (String id : backends.changed()) {
      BackendConfig before = running.backend(id).orElseThrow();
      BackendConfig after = next.backend(id).orElseThrow();
      // breakers belong to Single and Service Fabric backends (a pool's are its members'); one that
      // became a pool loses them
      Object settings = endpointSettings(before);
      if (settings != null && !settings.equals(endpointSettings(after))) {
        retire.add(id);
      }
    }
    Diff apis = Diff.of(running.apis(), next.apis(), ApiConfig::id);
    if (!running.policies().equals(next.policies())) {
      // the global policies run on every API: each one's chain changes
      SortedSet<String> changed = new TreeSet<>(apis.changed());
      for (ApiConfig a : next.apis()) {
        if (!apis.added().contains(a.id())) {
          changed.add(a.id());
        }
      }
      apis = new Diff(apis.added(), apis.removed(), Collections.unmodifiableSortedSet(changed));
    }
    return new ConfigChange(
        List.copyOf(restart),
        apis,
        backends,
        Diff.of(running.namedValues(), next.namedValues(), NamedValue::name),
        Collections.unmodifiableSortedSet(retire));
  }

  public boolean isEmpty() {
    return restartRequired.isEmpty()
        && apis.isEmpty()
        && backends.isEmpty()
        && namedValues.isEmpty();
  }

  private static void same(List<String> restart, String section, Object running, Object next) {
    if (!Objects.equals(running, next)) {
      restart.add(section);
    }
  }

  /**
   * What a backend's breakers depend on (its target and breaker rules), {@code null} for a pool,
   * whose breakers are its members'.
   */
  private static Object endpointSettings(BackendConfig b) {
    if (b instanceof SingleBackendConfig s) {
      return List.of(s.target(), s.breaker());
    }
    if (b instanceof FabricBackendConfig f) {
      return List.of(f.service(), f.cluster(), f.breaker());
    }
    return null;
  }

  private static Set<String> fabricBackends(GatewayConfig config) {
    Set<String> ids = new TreeSet<>();
    for (BackendConfig b : config.backends()) {
      if (b instanceof FabricBackendConfig) {
        ids.add(b.id());
      }
    }
    return ids;
  }

  private static <T> Map<String, T> index(Collection<T> items, Function<T, String> id) {
    Map<String, T> out = new LinkedHashMap<>();
    for (T t : items) {
      out.put(id.apply(t), t);
    }
    return out;
  }
}
