package dev.portico.gateway.backend;

import dev.portico.gateway.balancing.Candidate;

/**
 * One endpoint of one backend: where to send, through which backend's {@link Upstream}
 * settings, with which breaker. {@code token} identifies it in affinity cookies. Endpoints of
 * Single backends are precomputed per snapshot; those of Service Fabric backends are made when a
 * replica's listener is resolved (and cached per listener address).
 */
public record Target(Upstream upstream, Endpoint endpoint, EndpointState state, String token) implements Candidate {

  @Override
  public boolean available(long now) {
    return state.breaker().isAvailable(now);
  }

  @Override
  public int inFlight() {
    return state.inFlight();
  }
}
