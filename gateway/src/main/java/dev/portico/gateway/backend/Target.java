package dev.portico.gateway.backend;

import dev.portico.gateway.balancing.Candidate;

/**
 * One endpoint of one Single backend in the current snapshot: where to send, through which
 * backend's settings, with which breaker. {@code token} identifies it in affinity cookies.
 */
public record Target(SingleBackend backend, Endpoint endpoint, EndpointState state, String token) implements Candidate {

  @Override
  public boolean available(long now) {
    return state.breaker().isAvailable(now);
  }

  @Override
  public int inFlight() {
    return state.inFlight();
  }
}
