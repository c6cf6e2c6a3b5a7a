package dev.portico.fabric.resolve;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerChoice;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionLookup;
import dev.portico.fabric.rest.FabricError;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a service and key lead to no endpoint. Each failure has the HTTP status the gateway answers
 * with and the Service Fabric error code closest to it; its message names the service and the key
 * (or the partition the key selected).
 */
public sealed interface ResolutionFailure extends Resolution, TargetResolution
    permits ResolutionFailure.ServiceNotFound,
        ResolutionFailure.InvalidKey,
        ResolutionFailure.NoReplica,
        ResolutionFailure.InvalidSelector,
        ResolutionFailure.NoListener {

  /** Portico's own code for a listener that no replica publishes (Service Fabric has none). */
  String LISTENER_UNAVAILABLE = "PORTICO_LISTENER_UNAVAILABLE";

  /** The code the reverse proxy's invalid-argument answers carry. */
  String INVALID_ARGUMENT = "E_INVALIDARG";

  FabricName service();

  String message();

  int httpStatus();

  String errorCode();

  /**
   * The gateway's error reason (DESIGN's error model): {@code BackendUnavailable} for a 503, {@code
   * PartitionResolutionFailure} for the 4xx answers.
   */
  default String errorReason() {
    return httpStatus() == 503 ? "BackendUnavailable" : "PartitionResolutionFailure";
  }

  /** The registry knows no such service (404). */
  record ServiceNotFound(FabricName service, PartitionKey key, String message)
      implements ResolutionFailure {
    public ServiceNotFound {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(message, "message");
    }

    static ServiceNotFound of(FabricName service, PartitionKey key) {
      return new ServiceNotFound(
          service,
          key,
          "Service "
              + service
              + " is not registered (key "
              + key
              + "); Service Fabric names are case-sensitive");
    }

    @Override
    public int httpStatus() {
      return 404;
    }

    @Override
    public String errorCode() {
      return FabricError.SERVICE_DOES_NOT_EXIST;
    }
  }

  /** The key is of the wrong kind, outside every range, or names no partition (400). */
  record InvalidKey(
      FabricName service, PartitionKey key, PartitionLookup.Reason reason, String message)
      implements ResolutionFailure {
    public InvalidKey {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int httpStatus() {
      return 400;
    }

    @Override
    public String errorCode() {
      return FabricError.INVALID_PARTITION_KEY;
    }
  }

  /**
   * The partition has no UP replica, or none of the kind asked for (503). {@code selector} is empty
   * when the partition has no replicas at all; {@code partitionId} is empty when no registered
   * partition owns the key (an Int64 key between two registered ranges).
   */
  record NoReplica(
      FabricName service, String partitionId, Optional<ReplicaSelector> selector, String message)
      implements ResolutionFailure {
    public NoReplica {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(partitionId, "partitionId");
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int httpStatus() {
      return 503;
    }

    @Override
    public String errorCode() {
      return selector.isPresent() && selector.get() == ReplicaSelector.PRIMARY
          ? FabricError.NOT_PRIMARY
          : FabricError.SERVICE_OFFLINE;
    }
  }

  /**
   * A selector that does not apply to the service, e.g. RandomSecondaryReplica on a stateless one
   * (400).
   */
  record InvalidSelector(FabricName service, ReplicaSelector selector, String message)
      implements ResolutionFailure {
    public InvalidSelector {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int httpStatus() {
      return 400;
    }

    @Override
    public String errorCode() {
      return INVALID_ARGUMENT;
    }
  }

  /**
   * No eligible replica publishes the listener asked for (or, with none asked, an http/https one in
   * reverse-proxy mode) (503: replicas of another code version may publish it soon). {@code detail}
   * is the refusal of the replica tried first.
   */
  record NoListener(
      FabricName service, String partitionId, ListenerChoice.Unavailable detail, String message)
      implements ResolutionFailure {
    public NoListener {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(partitionId, "partitionId");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int httpStatus() {
      return 503;
    }

    @Override
    public String errorCode() {
      return LISTENER_UNAVAILABLE;
    }
  }
}
