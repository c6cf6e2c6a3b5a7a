package dev.portico.gateway.pipeline;

import dev.portico.gateway.target.TargetChoice;

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
    TargetChoice targets = rc.route.targets();
    // the snapshot's source reads no path: no substring is made for it
    rc.source =
        targets.source(
            rc.req,
            targets == TargetChoice.SNAPSHOT ? null : rc.path.substring(rc.route.prefixLength()));
    rc.next();
  }
}
