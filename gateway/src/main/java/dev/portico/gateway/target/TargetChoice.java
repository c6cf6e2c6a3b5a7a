package dev.portico.gateway.target;

import io.vertx.core.http.HttpServerRequest;

/**
 * How the requests of one route find their targets, compiled into the route when the routing state
 * is built (as Envoy's route names a cluster with its typed load balancer): the snapshot's
 * balancers for Single and Pool backends ({@link #SNAPSHOT}), resolution by partition key for a
 * Service Fabric backend ({@code fabric.FabricChoice}). Which one a route gets is decided once,
 * where routes are compiled ({@code routing.ApiTable}); the request path only asks for a source.
 */
public interface TargetChoice {

  /**
   * Single and Pool backends: targets from the routing snapshot, retries per the API's retry
   * policy.
   */
  TargetChoice SNAPSHOT = (req, rest) -> SnapshotSource.INSTANCE;

  /**
   * The source of one request's targets (shared when it keeps no per-request state).
   *
   * @param rest the request path after the API prefix (the client's, not a policy's rewrite)
   */
  TargetSource source(HttpServerRequest req, String rest);
}
