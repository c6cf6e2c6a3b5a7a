package dev.portico.metrics.internal;

import dev.portico.metrics.ServiceInstanceCounts;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registry records per service, source and status. A service that leaves the registry drops to 0 if
 * it is one the configuration routes to (an alert on "no UP instance" must see the 0): its last
 * series stay at 0, or one with source {@code none} appears when it never had a record. Other
 * series of services and sources that are gone are removed (so services that come and go do not
 * pile up series). Set as a whole ({@link #update}) or by the services that changed ({@link
 * #changed}), which costs what the change touches, not the whole registry.
 *
 * <p>One Prometheus collector renders every series from a map of service to its counts by source,
 * instead of four Micrometer gauges per service and source: at 10,000 services those were 40,000
 * meters (each with its id, tags, registry entries and Prometheus child), ~20 MB of the live set
 * and their registration a share of start-up. The series are the same: name, help, type, labels
 * ({@code service}, {@code source}, {@code status}) and values.
 */
public final class RegistryMeters implements Collector {

  /** The Prometheus name of {@code portico.registry.instances} (a gauge: no suffix). */
  static final String NAME = "portico_registry_instances";

  private static final String HELP = "Registry records per service, source and status";

  private static final String[] STATUSES = {"up", "down", "out_of_service", "unknown"};

  private static final String[] LABEL_NAMES = {"service", "source", "status"};

  /** The source label of a routed service that has no record. */
  public static final String NO_SOURCE = "none";

  private static final Map<String, ServiceInstanceCounts> NONE_AT_ZERO =
      Map.of(NO_SOURCE, ServiceInstanceCounts.ZERO);

  /**
   * Service to its counts by source (an immutable map, replaced as a whole). Written under this
   * object's lock; read by scrapes without it (a scrape sees each service's counts as of one
   * change).
   */
  private final ConcurrentHashMap<String, Map<String, ServiceInstanceCounts>> series =
      new ConcurrentHashMap<>();

  /** Registers the collector with {@code registry}: the series appear in its scrapes. */
  public RegistryMeters(PrometheusRegistry registry) {
    registry.register(this);
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
    series.keySet().removeIf(service -> !counts.containsKey(service) && !keep.contains(service));
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
    if (!bySource.isEmpty()) {
      series.put(service, Map.copyOf(bySource));
      return;
    }
    if (!keep.contains(service)) {
      series.remove(service);
      return;
    }
    Map<String, ServiceInstanceCounts> had = series.get(service);
    if (had == null || had.isEmpty()) {
      series.put(service, NONE_AT_ZERO);
      return;
    }
    Map<String, ServiceInstanceCounts> zero = new HashMap<>();
    had.keySet().forEach(source -> zero.put(source, ServiceInstanceCounts.ZERO));
    series.put(service, Map.copyOf(zero));
  }

  @Override
  public String getPrometheusName() {
    return NAME;
  }

  @Override
  public MetricSnapshot collect() {
    List<GaugeDataPointSnapshot> points = new ArrayList<>(series.size() * STATUSES.length);
    series.forEach(
        (service, bySource) ->
            bySource.forEach(
                (source, c) -> {
                  for (String status : STATUSES) {
                    points.add(
                        new GaugeDataPointSnapshot(
                            count(c, status),
                            Labels.of(LABEL_NAMES, new String[] {service, source, status}),
                            null));
                  }
                }));
    return new GaugeSnapshot(new MetricMetadata(NAME, HELP), points);
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
}
