package dev.portico.gateway.backend;

import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.resilience.CircuitBreaker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Per backend and endpoint, the state that outlives registry snapshots (breakers, in-flight
 * counts). Breaker state is per gateway process, as in APIM. Entries are created and pruned when
 * snapshots are compiled, never on the request path.
 */
public final class BackendStates {

  private final Map<String, Map<String, EndpointState>> states = new ConcurrentHashMap<>();
  private final Consumer<BreakerTransition> transitions;

  /** @param transitions told about every breaker transition (event bus, logs, metrics) */
  public BackendStates(Consumer<BreakerTransition> transitions) {
    this.transitions = transitions;
  }

  EndpointState state(SingleBackend backend, String endpointKey) {
    return states.computeIfAbsent(backend.id(), k -> new ConcurrentHashMap<>()).computeIfAbsent(endpointKey,
      k -> new EndpointState(new CircuitBreaker(backend.id(), endpointKey, backend.breaker(), transitions)));
  }

  /** Forgets endpoints of {@code backend} that are no longer in the registry. */
  void retainOnly(String backend, Set<String> endpointKeys) {
    Map<String, EndpointState> m = states.get(backend);
    if (m != null) {
      m.keySet().retainAll(endpointKeys);
    }
  }

  /** Every breaker of a backend, by endpoint (a snapshot of the current map). */
  public Map<String, CircuitBreaker> breakers(String backend) {
    Map<String, CircuitBreaker> out = new java.util.TreeMap<>();
    Map<String, EndpointState> m = states.get(backend);
    if (m != null) {
      m.forEach((k, v) -> out.put(k, v.breaker()));
    }
    return out;
  }

  /** Closes every breaker of the given backends now (APIM's reconnect). */
  public List<String> reset(List<String> backends) {
    List<String> done = new ArrayList<>();
    for (String b : backends) {
      Map<String, EndpointState> m = states.get(b);
      if (m != null) {
        m.forEach((endpoint, s) -> {
          s.breaker().reset();
          done.add(b + " " + endpoint);
        });
      }
    }
    return done;
  }
}
