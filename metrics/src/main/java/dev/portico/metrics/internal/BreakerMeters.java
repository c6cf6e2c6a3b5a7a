package dev.portico.metrics.internal;

import dev.portico.metrics.BreakerState;
import dev.portico.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Circuit breaker state per (backend, endpoint): three gauges, one per state, reading 1 for the
 * current state and 0 for the others (so {@code max by (backend)
 * (portico_circuit_breaker_state{state="open"})} works without label joins), and a transition
 * counter. A breaker appears at its first transition and goes when it is retired with its endpoint,
 * so endpoint churn does not pile up series.
 */
public final class BreakerMeters {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Key, AtomicReference<BreakerState>> states =
      new ConcurrentHashMap<>();

  public BreakerMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public void transition(String backend, String endpoint, BreakerState to) {
    Key key = new Key(backend, endpoint);
    states.computeIfAbsent(key, this::register).set(to);
    Counter.builder(MeterNames.BREAKER_TRANSITIONS)
        .description("Circuit breaker state changes, by the state entered")
        .tags(MeterNames.BACKEND, backend, MeterNames.ENDPOINT, endpoint, MeterNames.TO, to.label())
        .register(registry)
        .increment();
  }

  /** Removes the breaker's series; a later transition of the same key starts them afresh. */
  public void retire(String backend, String endpoint) {
    if (states.remove(new Key(backend, endpoint)) == null) {
      return;
    }
    for (String name : new String[] {MeterNames.BREAKER_STATE, MeterNames.BREAKER_TRANSITIONS}) {
      for (Meter m :
          registry
              .find(name)
              .tags(MeterNames.BACKEND, backend, MeterNames.ENDPOINT, endpoint)
              .meters()) {
        registry.remove(m);
      }
    }
  }

  /** The last state reported for the breaker, or {@code null}. */
  public BreakerState state(String backend, String endpoint) {
    AtomicReference<BreakerState> s = states.get(new Key(backend, endpoint));
    return s == null ? null : s.get();
  }

  private AtomicReference<BreakerState> register(Key key) {
    AtomicReference<BreakerState> current = new AtomicReference<>(BreakerState.CLOSED);
    for (BreakerState s : BreakerState.values()) {
      Gauge.builder(MeterNames.BREAKER_STATE, current, c -> c.get() == s ? 1 : 0)
          .description("Circuit breaker state: 1 for the current state, 0 for the others")
          .tags(
              MeterNames.BACKEND,
              key.backend,
              MeterNames.ENDPOINT,
              key.endpoint,
              MeterNames.STATE,
              s.label())
          .strongReference(true)
          .register(registry);
    }
    return current;
  }

  private record Key(String backend, String endpoint) {}
}
