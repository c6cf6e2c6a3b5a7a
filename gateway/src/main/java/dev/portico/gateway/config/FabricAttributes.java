package dev.portico.gateway.config;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.ResolveCondition;

/**
 * The Service Fabric attributes of one {@code set-backend-service} (APIM's {@code sf-*}),
 * validated. Every field may be {@code null}: the default applies.
 *
 * @param partitionKey {@code sf-partition-key}: where the request's partition key comes from
 * @param replicaType {@code sf-replica-type}: primary or secondary; {@code null}: the service
 *     kind's default
 * @param listenerName {@code sf-listener-name}; {@code null}: the default listener
 * @param resolveCondition {@code sf-resolve-condition}; {@code null}: {@link
 *     ResolveCondition#DEFAULT}
 * @param serviceInstanceName {@code sf-service-instance-name}: resolve this service instead of the
 *     backend's
 */
public record FabricAttributes(
    PartitionKeyExpression partitionKey,
    ReplicaSelector replicaType,
    String listenerName,
    ResolveCondition resolveCondition,
    FabricName serviceInstanceName) {

  /** Every attribute at its default. */
  public static final FabricAttributes DEFAULTS =
      new FabricAttributes(null, null, null, null, null);
}
