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
 * @param countsInFlight whether requests to it are counted in its endpoint state's in-flight
 *     requests: only when a least-requests balancer reads them (its backend's, or a pool's it is a
 *     member of). The count is shared by every event loop, and updating it on each request made the
 *     cores pass its cache line back and forth for nothing under round-robin.
 */
public record Target(
    Upstream upstream, Endpoint endpoint, EndpointState state, String token, boolean countsInFlight)
    implements Candidate {

  /** A target whose affinity token is its endpoint state's, its requests not counted. */
  public Target(Upstream upstream, Endpoint endpoint, EndpointState state) {
    this(upstream, endpoint, state, null, false);
  }

  /** A target whose requests are not counted. */
  public Target(Upstream upstream, Endpoint endpoint, EndpointState state, String token) {
    this(upstream, endpoint, state, token, false);
  }

  /** A request to it starts (paired with one {@link #requestEnded()} on the same target). */
  public void requestStarted() {
    if (countsInFlight) {
      state.requestStarted();
    }
  }

  /** The request {@link #requestStarted()} announced has ended, whatever its outcome. */
  public void requestEnded() {
    if (countsInFlight) {
      state.requestEnded();
    }
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
