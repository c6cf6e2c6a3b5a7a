package dev.portico.gateway.backend;

import dev.portico.gateway.resilience.BreakerRetired;
import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.metrics.BreakerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Per backend and endpoint, the state that outlives registry snapshots (breakers, in-flight
 * counts). Breaker state is per gateway process, as in APIM. Entries are created and pruned when
 * snapshots are compiled, never on the request path; an entry's breaker is made at its first use
 * ({@link EndpointState#breaker()}).
 */
public final class BackendStates {

  private final Map<String, Map<String, EndpointState>> states = new ConcurrentHashMap<>();
  private final Consumer<BreakerTransition> transitions;
  private final Consumer<BreakerRetired> retirements;

  /**
   * @param transitions told about every breaker transition (event bus, logs, metrics)
   * @param retirements told about every endpoint forgotten, so that what is kept per endpoint
   *     elsewhere goes too
   */
  public BackendStates(
      Consumer<BreakerTransition> transitions, Consumer<BreakerRetired> retirements) {
    this.transitions = transitions;
    this.retirements = retirements;
  }

  /**
   * The state of one endpoint of a backend, created on first use. Single backends call this when a
   * snapshot is compiled; Service Fabric backends when a replica's listener is first resolved (a
   * lock-free lookup afterwards).
   */
  public EndpointState state(Upstream upstream, String endpointKey) {
    Map<String, EndpointState> m = states.get(upstream.id());
    EndpointState s = m == null ? null : m.get(endpointKey);
    if (s != null) {
      return s;
    }
    return states
        .computeIfAbsent(upstream.id(), k -> new ConcurrentHashMap<>())
        .computeIfAbsent(endpointKey, k -> new EndpointState(upstream, k, transitions));
  }

  /** Forgets endpoints of {@code backend} that are no longer in the registry. */
  public void retainOnly(String backend, Set<String> endpointKeys) {
    Map<String, EndpointState> m = states.get(backend);
    if (m != null) {
      m.entrySet()
          .removeIf(
              e -> {
                if (endpointKeys.contains(e.getKey())) {
                  return false;
                }
                e.getValue().retire();
                retirements.accept(new BreakerRetired(backend, e.getKey()));
                return true;
              });
    }
  }

  /**
   * Every breaker of a backend that was made (used), by endpoint (a snapshot of the current map).
   */
  public Map<String, CircuitBreaker> breakers(String backend) {
    Map<String, CircuitBreaker> out = new TreeMap<>();
    Map<String, EndpointState> m = states.get(backend);
    if (m != null) {
      m.forEach(
          (k, v) -> {
            if (v.hasBreaker()) {
              out.put(k, v.breaker());
            }
          });
    }
    return out;
  }

  /**
   * The breaker state of every endpoint of a backend, by endpoint: closed for one whose breaker was
   * never used (without making it).
   */
  public Map<String, BreakerState> breakerStates(String backend) {
    Map<String, BreakerState> out = new TreeMap<>();
    Map<String, EndpointState> m = states.get(backend);
    if (m != null) {
      m.forEach((k, v) -> out.put(k, v.breakerState()));
    }
    return out;
  }

  /** Closes every breaker of the given backends now (APIM's reconnect). */
  public List<String> reset(List<String> backends) {
    List<String> done = new ArrayList<>();
    for (String b : backends) {
      Map<String, EndpointState> m = states.get(b);
      if (m != null) {
        m.forEach(
            (endpoint, s) -> {
              s.resetBreaker();
              done.add(b + " " + endpoint);
            });
      }
    }
    return done;
  }
}
