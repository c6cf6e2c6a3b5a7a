package dev.portico.gateway.target;

import dev.portico.metrics.FabricResolution;

/**
 * What a target source reports while it resolves targets: the metrics and the access log hang here.
 */
public interface ResolutionObserver {

  /**
   * A Service Fabric resolution (a request's first, or a complaint-based re-resolution) of {@code
   * service} (a {@code fabric:/} name) ended with {@code result} after {@code nanos}.
   */
  default void fabricResolution(String service, FabricResolution result, long nanos) {}
}
