package dev.portico.discovery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of the registry at one moment: per service, its UP instances (the only ones
 * that get traffic) and how many records it has in each status. The hot path reads it without
 * locks; a new snapshot replaces it as a whole when the registry changes.
 *
 * <p>A snapshot derived from another ({@link #with}) shares the {@link ServiceGroup} instances of
 * every service that did not change: consumers tell the services that changed between two snapshots
 * by identity ({@code a.service(s) != b.service(s)}) and rebuild only what depends on them.
 *
 * @param version increases with every change, so consumers can tell snapshots apart cheaply
 * @param services service name to its instances
 */
public record RegistrySnapshot(long version, Map<String, ServiceGroup> services) {

  public static final RegistrySnapshot EMPTY = new RegistrySnapshot(0, Map.of());

  public RegistrySnapshot {
    // an immutable map (as with() makes) is kept as it is
    services = Map.copyOf(services);
  }

  /**
   * The instances of one service.
   *
   * @param up UP instances in a stable order (by id), so balancers see the same order every rebuild
   * @param all every record of the service whatever its status
   */
  public record ServiceGroup(String service, List<ServiceInstance> up, List<ServiceInstance> all) {
    public ServiceGroup {
      up = List.copyOf(up);
      all = List.copyOf(all);
    }

    public Map<InstanceStatus, Integer> countsByStatus() {
      Map<InstanceStatus, Integer> counts = new EnumMap<>(InstanceStatus.class);
      for (InstanceStatus s : InstanceStatus.values()) {
        counts.put(s, 0);
      }
      for (ServiceInstance i : all) {
        counts.merge(i.status(), 1, Integer::sum);
      }
      return counts;
    }
  }

  /** The group of {@code service}'s records, given in a stable order (by id). */
  static ServiceGroup group(String service, List<ServiceInstance> all) {
    List<ServiceInstance> up = new ArrayList<>(all.size());
    for (ServiceInstance i : all) {
      if (i.status() == InstanceStatus.UP) {
        up.add(i);
      }
    }
    return new ServiceGroup(service, up, all);
  }

  /**
   * This snapshot with some services replaced: {@code changed} maps a service to its new group, or
   * to {@code null} when it has no record any more. Every other group is shared with this snapshot.
   */
  @SuppressWarnings("unchecked")
  public RegistrySnapshot with(long newVersion, Map<String, ServiceGroup> changed) {
    // the next map built once (10,000 services at scale): Map.ofEntries makes an immutable map,
    // which the record's Map.copyOf keeps as it is instead of copying it a second time
    List<Map.Entry<String, ServiceGroup>> next = new ArrayList<>(services.size() + changed.size());
    services.forEach(
        (name, group) -> {
          if (!changed.containsKey(name)) {
            next.add(Map.entry(name, group));
          }
        });
    changed.forEach(
        (name, group) -> {
          if (group != null) {
            next.add(Map.entry(name, group));
          }
        });
    return new RegistrySnapshot(newVersion, Map.ofEntries(next.toArray(Map.Entry[]::new)));
  }

  /** The number of records, whatever their status. */
  public int size() {
    int n = 0;
    for (ServiceGroup g : services.values()) {
      n += g.all().size();
    }
    return n;
  }

  public static RegistrySnapshot of(long version, Collection<ServiceInstance> instances) {
    Map<String, List<ServiceInstance>> byService = new HashMap<>();
    for (ServiceInstance i : instances) {
      byService.computeIfAbsent(i.service(), k -> new ArrayList<>()).add(i);
    }
    Map<String, ServiceGroup> groups = new HashMap<>();
    byService.forEach(
        (name, all) -> {
          all.sort(Comparator.comparing(ServiceInstance::id));
          groups.put(name, group(name, all));
        });
    return new RegistrySnapshot(version, groups);
  }

  /** UP instances of {@code service}; empty when the service is unknown or has none UP. */
  public List<ServiceInstance> up(String service) {
    ServiceGroup g = services.get(service);
    return g == null ? List.of() : g.up();
  }

  public ServiceGroup service(String service) {
    return services.get(service);
  }

  /** Every record of every service, whatever its status. */
  public List<ServiceInstance> all() {
    List<ServiceInstance> out = new ArrayList<>();
    services.values().forEach(g -> out.addAll(g.all()));
    return out;
  }
}
