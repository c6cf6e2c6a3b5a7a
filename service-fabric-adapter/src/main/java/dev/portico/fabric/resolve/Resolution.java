package dev.portico.fabric.resolve;

import io.vertx.core.Future;

/**
 * The outcome of resolving a service and a key: the partition with its replicas, or a typed
 * failure. A value rather than an exception because a bad key is ordinary client input on the
 * request path.
 */
public sealed interface Resolution permits ResolvedPartition, ResolutionFailure {

  /** The partition, or a failed future carrying a {@link FabricResolutionException}. */
  default Future<ResolvedPartition> partitionFuture() {
    if (this instanceof ResolvedPartition) {
      return Future.succeededFuture((ResolvedPartition) this);
    }
    return Future.failedFuture(new FabricResolutionException((ResolutionFailure) this));
  }
}
