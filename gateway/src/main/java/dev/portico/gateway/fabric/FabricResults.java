package dev.portico.gateway.fabric;

import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.metrics.FabricResolution;

/** The {@code result} label of a resolution that failed. */
public final class FabricResults {

  private FabricResults() {}

  public static FabricResolution of(ResolutionFailure f) {
    if (f instanceof ResolutionFailure.ServiceNotFound) {
      return FabricResolution.NOT_FOUND;
    }
    if (f instanceof ResolutionFailure.InvalidKey) {
      return FabricResolution.BAD_KEY;
    }
    if (f instanceof ResolutionFailure.NoReplica || f instanceof ResolutionFailure.NoListener) {
      return FabricResolution.NO_REPLICA;
    }
    return FabricResolution.ERROR;
  }
}
