package dev.portico.gateway.balancing;

/** Something a {@link Balancer} chooses between: a pool member or an endpoint. */
public interface Candidate {

  /** Whether it can take a request now (its breaker lets requests through, it has UP instances). */
  boolean available(long now);

  /** Requests in flight on it, for least-request balancing. */
  int inFlight();
}
