package dev.portico.gateway.tracing;

/**
 * Where in a Service Fabric cluster an attempt went: for the client span's attributes.
 *
 * @param service the {@code fabric:/} service name
 * @param partitionId the partition's id
 * @param replicaRole the replica's role ({@code Primary}, {@code ActiveSecondary}, {@code None} for
 *     stateless), or {@code null}
 */
public record FabricPlace(String service, String partitionId, String replicaRole) {}
