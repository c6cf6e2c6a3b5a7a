package dev.portico.fabric.importer.internal;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;

import java.util.List;
import java.util.Set;

/**
 * What one pass over the cluster learnt. Records under a resolved partition follow it; records
 * under an unknown application, service or partition are left as they are (that part of the
 * cluster could not be read this time); every other record of the importer is gone from the
 * cluster.
 *
 * @param resolved            the partitions resolved this time, with their endpoints
 * @param unknownApplications applications whose services could not be listed
 * @param unknownServices     services whose partitions could not be listed
 * @param unknownPartitions   partitions (lower-case ids) that could not be resolved
 * @param problems            one line per thing that could not be read
 * @param applications        applications seen
 * @param services            services seen
 * @param gone                applications, services or partitions the cluster said do not exist
 */
public record ClusterObservation(List<ObservedPartition> resolved, Set<FabricName> unknownApplications,
                                 Set<FabricName> unknownServices, Set<String> unknownPartitions,
                                 List<String> problems, int applications, int services, int gone) {

    public ClusterObservation {
        resolved = List.copyOf(resolved);
        unknownApplications = Set.copyOf(unknownApplications);
        unknownServices = Set.copyOf(unknownServices);
        unknownPartitions = Set.copyOf(unknownPartitions);
        problems = List.copyOf(problems);
    }

    /** Whether nothing definite was learnt although there was something to learn. */
    public boolean learntNothing() {
        boolean anyUnknown = !unknownApplications.isEmpty() || !unknownServices.isEmpty() || !unknownPartitions.isEmpty();
        return anyUnknown && resolved.isEmpty() && gone == 0;
    }

    /** One endpoint of a resolved partition. */
    public record ObservedEndpoint(ReplicaRole role, String address) {
    }

    /** A resolved partition and where it lives. */
    public record ObservedPartition(FabricName application, FabricName service, ServiceKind serviceKind,
                                    PartitionInfo partition, List<ObservedEndpoint> endpoints, String clusterVersion) {
        public ObservedPartition {
            endpoints = List.copyOf(endpoints);
        }
    }
}
