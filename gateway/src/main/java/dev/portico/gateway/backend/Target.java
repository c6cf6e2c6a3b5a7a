package dev.portico.gateway.backend;

import dev.portico.gateway.balancing.Candidate;

/**
 * One endpoint of one backend: where to send, through which backend's {@link Upstream} settings,
 * with which breaker. {@code token} identifies it in affinity cookies. Endpoints of Single backends
 * are precomputed per snapshot; those of Service Fabric backends are made when a replica's listener
 * is resolved (and cached per listener address).
 *
 * @param token the affinity token; {@code null} for the endpoint state's own ({@link
 *     EndpointState#token()}, computed when first asked for)
 */
public record Target(Upstream upstream, Endpoint endpoint, EndpointState state, String token)
    implements Candidate {

  /** A target whose affinity token is its endpoint state's. */
  public Target(Upstream upstream, Endpoint endpoint, EndpointState state) {
    this(upstream, endpoint, state, null);
  }

  @Override
  public String token() {
    return token != null ? token : state.token();
  }

  /** Its breaker's answer, without making the breaker ({@link EndpointState#available}). */
  @Override
  public boolean available(long now) {
    return state.available(now);
  }

  @Override
  public int inFlight() {
    return state.inFlight();
  }
}
