package dev.portico.metrics.internal;

import dev.portico.metrics.MeterNames;
import dev.portico.metrics.ServiceInstanceCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Registry records per service, source and status, replaced as a whole from each registry
 * snapshot. A service that leaves the registry drops to 0 if it is one the configuration routes to
 * (an alert on "no UP instance" must see the 0): its last series stay at 0, or one with source
 * {@code none} appears when it never had a record. Other series of services and sources that are
 * gone are removed (so services that come and go do not pile up series).
 */
public final class RegistryMeters {

  private static final String[] STATUSES = {"up", "down", "out_of_service", "unknown"};

  /** The source label of a routed service that has no record. */
  public static final String NO_SOURCE = "none";

  private final MeterRegistry registry;
  private final Map<Series, Entry> series = new HashMap<>();

  private record Series(String service, String source) {
  }

  public RegistryMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Called on each new snapshot, off the hot path; synchronised only against itself.
   *
   * @param counts service to source to its counts
   * @param keep   services that keep a series (at 0) when they have no record
   */
  public synchronized void update(Map<String, Map<String, ServiceInstanceCounts>> counts, Set<String> keep) {
    Map<Series, ServiceInstanceCounts> want = new HashMap<>();
    counts.forEach((service, bySource) -> bySource.forEach((source, c) -> want.put(new Series(service, source), c)));
    for (String service : keep) {
      if (counts.containsKey(service)) {
        continue;
      }
      boolean had = false;
      for (Series s : series.keySet()) {
        if (s.service().equals(service)) {
          want.put(s, ServiceInstanceCounts.ZERO);
          had = true;
        }
      }
      if (!had) {
        want.put(new Series(service, NO_SOURCE), ServiceInstanceCounts.ZERO);
      }
    }
    want.forEach((s, c) -> series.computeIfAbsent(s, this::register).counts.set(c));
    series.entrySet().removeIf(e -> {
      if (want.containsKey(e.getKey())) {
        return false;
      }
      e.getValue().meters.forEach(registry::remove);
      return true;
    });
  }

  private Entry register(Series s) {
    Entry entry = new Entry(new AtomicReference<>(ServiceInstanceCounts.ZERO), new ArrayList<>());
    for (String status : STATUSES) {
      entry.meters.add(Gauge.builder(MeterNames.REGISTRY_INSTANCES, entry.counts, c -> count(c.get(), status))
        .description("Registry records per service, source and status")
        .tags(MeterNames.SERVICE, s.service(), MeterNames.SOURCE, s.source(), MeterNames.STATUS, status)
        .strongReference(true)
        .register(registry));
    }
    return entry;
  }

  private static double count(ServiceInstanceCounts c, String status) {
    switch (status) {
      case "up": return c.up();
      case "down": return c.down();
      case "out_of_service": return c.outOfService();
      default: return c.unknown();
    }
  }

  private record Entry(AtomicReference<ServiceInstanceCounts> counts, List<Meter> meters) {
  }
}
