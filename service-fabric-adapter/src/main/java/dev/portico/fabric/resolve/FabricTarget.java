package dev.portico.fabric.resolve;

import dev.portico.fabric.ListenerEndpoint;
import java.util.Objects;

/**
 * Where one request goes: the partition (keep it to complain with via {@link
 * FabricResolver#reresolve}), the replica, and its listener.
 */
public record FabricTarget(
    ResolvedPartition partition, ResolvedReplica replica, ListenerEndpoint listener)
    implements TargetResolution {

  public FabricTarget {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(listener, "listener");
  }

  /** The listener address without its trailing {@code /}; append the request path to it. */
  public String baseUrl() {
    return listener.baseUrl();
  }
}
