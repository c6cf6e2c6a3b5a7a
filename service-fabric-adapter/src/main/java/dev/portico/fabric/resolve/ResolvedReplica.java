package dev.portico.fabric.resolve;

import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.ReplicaRole;
import java.util.Objects;

/**
 * One UP replica or instance of a resolved partition.
 *
 * @param role primary, secondary or stateless instance
 * @param replicaId the publisher's replica id (opaque)
 * @param endpoints its published listeners, parsed once per registry change
 * @param recordId the registry record it came from
 */
public record ResolvedReplica(
    ReplicaRole role, String replicaId, EndpointAddresses endpoints, String recordId) {

  public ResolvedReplica {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(recordId, "recordId");
  }
}
