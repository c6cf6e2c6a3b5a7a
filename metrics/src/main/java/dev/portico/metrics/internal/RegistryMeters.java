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
 * Registry records per service and status, replaced as a whole from each registry snapshot.
 * A service that leaves the registry drops to 0 if it is one the configuration routes to (an
 * alert on "no UP instance" must see the 0), and its series are removed otherwise (so services
 * that come and go do not pile up series).
 */
public final class RegistryMeters {

  private static final String[] STATUSES = {"up", "down", "out_of_service", "unknown"};

  private final MeterRegistry registry;
  private final Map<String, Entry> services = new HashMap<>();

  public RegistryMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Called on each new snapshot, off the hot path; synchronised only against itself. */
  public synchronized void update(Map<String, ServiceInstanceCounts> counts, Set<String> keep) {
    for (Map.Entry<String, ServiceInstanceCounts> e : counts.entrySet()) {
      services.computeIfAbsent(e.getKey(), this::register).counts.set(e.getValue());
    }
    for (String service : keep) {
      if (!counts.containsKey(service)) {
        services.computeIfAbsent(service, this::register).counts.set(ServiceInstanceCounts.ZERO);
      }
    }
    services.entrySet().removeIf(e -> {
      if (counts.containsKey(e.getKey()) || keep.contains(e.getKey())) {
        return false;
      }
      e.getValue().meters.forEach(registry::remove);
      return true;
    });
  }

  private Entry register(String service) {
    Entry entry = new Entry(new AtomicReference<>(ServiceInstanceCounts.ZERO), new ArrayList<>());
    for (String status : STATUSES) {
      entry.meters.add(Gauge.builder(MeterNames.REGISTRY_INSTANCES, entry.counts, c -> count(c.get(), status))
        .description("Registry records per service and status")
        .tags(MeterNames.SERVICE, service, MeterNames.STATUS, status)
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
