package dev.portico.fabric.importer.internal;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import java.util.List;
import java.util.Set;

/**
 * What one pass over the cluster learnt. Records under a resolved partition follow it; records
 * under an unknown application, service or partition are left as they are (that part of the cluster
 * could not be read this time); every other record of the importer is gone from the cluster.
 *
 * @param partitions the partitions listed this time: those resolved with their endpoints, and those
 *     whose resolution failed ({@link ObservedPartition#resolved()} false) with none
 * @param unknownApplications applications whose services could not be listed
 * @param unknownServices services whose partitions could not be listed
 * @param unknownPartitions partitions (lower-case ids) that could not be resolved
 * @param problems one line per thing that could not be read
 * @param applications applications seen
 * @param services services seen
 * @param gone applications, services or partitions the cluster said do not exist
 */
public record ClusterObservation(
    List<ObservedPartition> partitions,
    Set<FabricName> unknownApplications,
    Set<FabricName> unknownServices,
    Set<String> unknownPartitions,
    List<String> problems,
    int applications,
    int services,
    int gone) {

  public ClusterObservation {
    partitions = List.copyOf(partitions);
    unknownApplications = Set.copyOf(unknownApplications);
    unknownServices = Set.copyOf(unknownServices);
    unknownPartitions = Set.copyOf(unknownPartitions);
    problems = List.copyOf(problems);
  }

  /** Whether nothing definite was learnt although there was something to learn. */
  public boolean learntNothing() {
    boolean anyUnknown =
        !unknownApplications.isEmpty()
            || !unknownServices.isEmpty()
            || !unknownPartitions.isEmpty();
    return anyUnknown && resolvedCount() == 0 && gone == 0;
  }

  /** Partitions resolved (not only listed). */
  public int resolvedCount() {
    int n = 0;
    for (ObservedPartition p : partitions) {
      if (p.resolved()) {
        n++;
      }
    }
    return n;
  }

  /** One endpoint of a resolved partition. */
  public record ObservedEndpoint(ReplicaRole role, String address) {}

  /**
   * A listed partition and where it lives. {@code resolved} is false when its resolution failed:
   * then it has no endpoints, and its records (if any) are kept as they are.
   */
  public record ObservedPartition(
      FabricName application,
      FabricName service,
      ServiceKind serviceKind,
      PartitionInfo partition,
      List<ObservedEndpoint> endpoints,
      String clusterVersion,
      boolean resolved) {
    public ObservedPartition {
      endpoints = List.copyOf(endpoints);
    }

    public ObservedPartition(
        FabricName application,
        FabricName service,
        ServiceKind serviceKind,
        PartitionInfo partition,
        List<ObservedEndpoint> endpoints,
        String clusterVersion) {
      this(application, service, serviceKind, partition, endpoints, clusterVersion, true);
    }
  }
}
