package dev.portico.fabric.resolve;

import io.vertx.core.Future;

/** The outcome of choosing a replica and a listener: a {@link FabricTarget} or a typed failure. */
public sealed interface TargetResolution permits FabricTarget, ResolutionFailure {

  /** The target, or a failed future carrying a {@link FabricResolutionException}. */
  default Future<FabricTarget> targetFuture() {
    if (this instanceof FabricTarget) {
      return Future.succeededFuture((FabricTarget) this);
    }
    return Future.failedFuture(new FabricResolutionException((ResolutionFailure) this));
  }
}
