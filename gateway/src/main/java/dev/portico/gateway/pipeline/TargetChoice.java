package dev.portico.gateway.pipeline;

import dev.portico.gateway.fabric.FabricRuntime;

/**
 * Where the request's attempts will go: the route's target source, as compiled into the route
 * when the routing state was built ({@link TargetSources}).
 */
final class TargetChoice implements Stage {

  private final FabricRuntime fabric;

  TargetChoice(FabricRuntime fabric) {
    this.fabric = fabric;
  }

  @Override
  public void apply(RequestContext rc) {
    // targets (a Service Fabric partition key) are chosen from the client's path, not a rewrite
    rc.source = TargetSources.of(rc.route, rc.req, rc.path.substring(rc.route.prefixLength()), fabric);
    rc.next();
  }
}
