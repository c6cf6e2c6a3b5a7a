package dev.portico.gateway.pipeline;

/**
 * Where the request's attempts will go: a source from the route's target choice, compiled into the
 * route when the routing state was built ({@code routing.ApiTable}).
 */
final class TargetStage implements Stage {

  static final TargetStage INSTANCE = new TargetStage();

  private TargetStage() {}

  @Override
  public void apply(RequestContext rc) {
    // targets (a Service Fabric partition key) are chosen from the client's path, not a rewrite
    rc.source = rc.route.targets().source(rc.req, rc.path.substring(rc.route.prefixLength()));
    rc.next();
  }
}
