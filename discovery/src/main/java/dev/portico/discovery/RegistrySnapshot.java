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
 * @param version  increases with every rebuild, so consumers can tell snapshots apart cheaply
 * @param services service name to its instances
 */
public record RegistrySnapshot(long version, Map<String, ServiceGroup> services) {

  public static final RegistrySnapshot EMPTY = new RegistrySnapshot(0, Map.of());

  public RegistrySnapshot {
    services = Map.copyOf(services);
  }

  /**
   * The instances of one service.
   *
   * @param up  UP instances in a stable order (by id), so balancers see the same order every rebuild
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

  public static RegistrySnapshot of(long version, Collection<ServiceInstance> instances) {
    Map<String, List<ServiceInstance>> byService = new HashMap<>();
    for (ServiceInstance i : instances) {
      byService.computeIfAbsent(i.service(), k -> new ArrayList<>()).add(i);
    }
    Map<String, ServiceGroup> groups = new HashMap<>();
    byService.forEach((name, all) -> {
      all.sort(Comparator.comparing(ServiceInstance::id));
      List<ServiceInstance> up = all.stream().filter(i -> i.status() == InstanceStatus.UP).toList();
      groups.put(name, new ServiceGroup(name, up, all));
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
