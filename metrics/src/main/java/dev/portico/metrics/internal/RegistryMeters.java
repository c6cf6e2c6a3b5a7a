package dev.portico.metrics.internal;

import dev.portico.metrics.MeterNames;
import dev.portico.metrics.ServiceInstanceCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Registry records per service, source and status. A service that leaves the registry drops to 0 if
 * it is one the configuration routes to (an alert on "no UP instance" must see the 0): its last
 * series stay at 0, or one with source {@code none} appears when it never had a record. Other
 * series of services and sources that are gone are removed (so services that come and go do not
 * pile up series). Set as a whole ({@link #update}) or by the services that changed ({@link
 * #changed}), which costs what the change touches, not the whole registry.
 */
public final class RegistryMeters {

  private static final String[] STATUSES = {"up", "down", "out_of_service", "unknown"};

  /** The source label of a routed service that has no record. */
  public static final String NO_SOURCE = "none";

  private final MeterRegistry registry;

  /** Service to source to its gauges. */
  private final Map<String, Map<String, Entry>> series = new HashMap<>();

  public RegistryMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Every service's counts at once, off the hot path; synchronised only against itself.
   *
   * @param counts service to source to its counts
   * @param keep services that keep a series (at 0) when they have no record
   */
  public synchronized void update(
      Map<String, Map<String, ServiceInstanceCounts>> counts, Set<String> keep) {
    for (Map.Entry<String, Map<String, ServiceInstanceCounts>> e : counts.entrySet()) {
      set(e.getKey(), e.getValue(), keep);
    }
    for (String service : keep) {
      if (!counts.containsKey(service)) {
        set(service, Map.of(), keep);
      }
    }
    for (Iterator<Map.Entry<String, Map<String, Entry>>> it = series.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Map<String, Entry>> e = it.next();
      if (!counts.containsKey(e.getKey()) && !keep.contains(e.getKey())) {
        e.getValue().values().forEach(this::remove);
        it.remove();
      }
    }
  }

  /**
   * The counts of the services whose records changed: {@code changed} maps each to its counts by
   * source, empty when it has no record any more.
   */
  public synchronized void changed(
      Map<String, Map<String, ServiceInstanceCounts>> changed, Set<String> keep) {
    changed.forEach((service, bySource) -> set(service, bySource, keep));
  }

  /**
   * One service's series: those of {@code bySource}, or, without records, its last ones at 0 if
   * kept.
   */
  private void set(String service, Map<String, ServiceInstanceCounts> bySource, Set<String> keep) {
    Map<String, Entry> had = series.get(service);
    if (bySource.isEmpty()) {
      if (!keep.contains(service)) {
        if (had != null) {
          had.values().forEach(this::remove);
          series.remove(service);
        }
        return;
      }
      if (had == null || had.isEmpty()) {
        had = new HashMap<>();
        series.put(service, had);
        had.put(NO_SOURCE, register(service, NO_SOURCE));
      }
      had.values().forEach(entry -> entry.counts.set(ServiceInstanceCounts.ZERO));
      return;
    }
    Map<String, Entry> now = had == null ? new HashMap<>() : had;
    if (had == null) {
      series.put(service, now);
    }
    bySource.forEach(
        (source, c) -> now.computeIfAbsent(source, s -> register(service, s)).counts.set(c));
    now.entrySet()
        .removeIf(
            e -> {
              if (bySource.containsKey(e.getKey())) {
                return false;
              }
              remove(e.getValue());
              return true;
            });
  }

  private Entry register(String service, String source) {
    Entry entry = new Entry(new AtomicReference<>(ServiceInstanceCounts.ZERO), new ArrayList<>());
    for (String status : STATUSES) {
      entry.meters.add(
          Gauge.builder(MeterNames.REGISTRY_INSTANCES, entry.counts, c -> count(c.get(), status))
              .description("Registry records per service, source and status")
              .tags(
                  MeterNames.SERVICE, service, MeterNames.SOURCE, source, MeterNames.STATUS, status)
              .strongReference(true)
              .register(registry));
    }
    return entry;
  }

  private void remove(Entry entry) {
    entry.meters.forEach(registry::remove);
  }

  private static double count(ServiceInstanceCounts c, String status) {
    switch (status) {
      case "up":
        return c.up();
      case "down":
        return c.down();
      case "out_of_service":
        return c.outOfService();
      default:
        return c.unknown();
    }
  }

  private record Entry(AtomicReference<ServiceInstanceCounts> counts, List<Meter> meters) {}
}
