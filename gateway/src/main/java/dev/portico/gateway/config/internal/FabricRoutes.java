package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.expression.ResolveCondition;
import io.vertx.core.json.JsonObject;

/**
 * The Service Fabric attributes of a route (set-backend-service's sf-* fields): each parsed (a
 * partition-key expression, a resolve condition, a service name), then checked against the route
 * they are on: its backend must be a Service Fabric one, a partition key from a template parameter
 * must name one of the route's.
 */
final class FabricRoutes extends Binding {

  FabricRoutes(Binding parent) {
    super(parent);
  }

  /** The sf-* attributes of a set-backend-service, validated; {@code null} without one. */
  FabricAttributes attributes(String at, JsonObject sbs) {
    if (sbs == null) {
      return null;
    }
    PartitionKeyExpression key = null;
    String keyText = string(sbs, "sf-partition-key", null);
    if (keyText != null) {
      try {
        key = PartitionKeyExpression.parse(keyText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-partition-key", e.getMessage());
      }
    }
    ReplicaSelector replica = null;
    try {
      replica =
          ReplicaSelector.parseApimReplicaType(string(sbs, "sf-replica-type", null)).orElse(null);
    } catch (IllegalArgumentException e) {
      // reported by the schema
    }
    ResolveCondition condition = null;
    String conditionText = string(sbs, "sf-resolve-condition", null);
    if (conditionText != null) {
      try {
        condition = ResolveCondition.parse(conditionText);
      } catch (IllegalArgumentException e) {
        problem(at + ".sf-resolve-condition", e.getMessage());
      }
    }
    FabricName instance = null;
    String instanceText = string(sbs, "sf-service-instance-name", null);
    if (instanceText != null) {
      try {
        instance = FabricName.parseService(instanceText);
      } catch (InvalidFabricNameException e) {
        problem(at + ".sf-service-instance-name", e.getMessage());
      }
    }
    return new FabricAttributes(
        key, replica, string(sbs, "sf-listener-name", null), condition, instance);
  }

  /** Whether a set-backend-service gives any sf-* attribute. */
  static boolean hasAttributes(JsonObject sbs) {
    if (sbs != null) {
      for (String k : sbs.fieldNames()) {
        if (k.startsWith("sf-")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A route's sf-* attributes must be those of a Service Fabric backend, and a partition key from a
   * template parameter must name one of the route's template.
   *
   * @param inherited the attributes come from the API (reported on the operation that inherits
   *     them)
   */
  void check(
      String at,
      String sfAt,
      String backend,
      FabricAttributes sf,
      PathTemplate template,
      BackendReferences backends,
      boolean inherited) {
    if (sf == null || backend == null || !backends.isKnown(backend)) {
      return;
    }
    boolean any =
        sf.partitionKey() != null
            || sf.replicaType() != null
            || sf.listenerName() != null
            || sf.resolveCondition() != null
            || sf.serviceInstanceName() != null;
    if (!any) {
      return;
    }
    if (!backends.isFabric(backend)) {
      if (!inherited) {
        problem(
            sfAt,
            "sf-* attributes apply to Service Fabric backends; backend '"
                + backend
                + "' is not one (its url is no fabric:/ name)");
      }
      return;
    }
    if (sf.partitionKey() != null) {
      try {
        sf.partitionKey().bind(template);
      } catch (IllegalArgumentException e) {
        problem(
            inherited ? at : sfAt + ".sf-partition-key",
            inherited
                ? "inherits sf-partition-key '"
                    + sf.partitionKey().source()
                    + "' from its API, but "
                    + e.getMessage()
                : e.getMessage());
      }
    }
  }
}
