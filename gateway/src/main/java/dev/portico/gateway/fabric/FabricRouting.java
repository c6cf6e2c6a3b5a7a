package dev.portico.gateway.fabric;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.backend.FabricBackend;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.expression.ResolveCondition;
import java.util.Optional;

/**
 * How one route addresses its Service Fabric backend: the backend's service (or {@code
 * sf-service-instance-name}'s), where the partition key comes from, the replica type, the listener,
 * and when to re-resolve and resend. Immutable, one per route.
 *
 * @param key {@code null}: the request carries no key (only a Singleton service resolves)
 * @param replicaType {@code null}: the service kind's default (primary; any instance when
 *     stateless)
 * @param maxResends re-resolutions (each with a resend) per request: the backend's {@code
 *     maxPartitionResolutionRetries}
 */
public record FabricRouting(
    FabricName service,
    PartitionKeyExpression key,
    ReplicaSelector replicaType,
    Optional<String> listenerName,
    ResolveCondition condition,
    int maxResends) {

  /**
   * The routing of a route whose backend is {@code backend}, with the attributes of the nearest
   * {@code set-backend-service} ({@code null}: defaults).
   *
   * @param template the operation's path template ({@code null} for an API without operations), to
   *     which template parameters of the key are bound
   */
  public static FabricRouting of(
      FabricBackend backend, FabricAttributes attributes, PathTemplate template) {
    FabricAttributes a = attributes == null ? FabricAttributes.DEFAULTS : attributes;
    return new FabricRouting(
        a.serviceInstanceName() != null ? a.serviceInstanceName() : backend.service(),
        a.partitionKey() == null ? null : a.partitionKey().bind(template),
        a.replicaType(),
        Optional.ofNullable(a.listenerName()),
        a.resolveCondition() == null ? ResolveCondition.DEFAULT : a.resolveCondition(),
        backend.maxPartitionResolutionRetries());
  }
}
