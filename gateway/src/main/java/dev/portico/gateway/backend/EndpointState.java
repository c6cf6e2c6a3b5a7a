package dev.portico.gateway.backend;

import dev.portico.gateway.resilience.CircuitBreaker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the gateway remembers about one endpoint of one backend across registry snapshots: its
 * circuit breaker and the requests in flight on it. Shared by all event loops.
 */
public final class EndpointState {

  private final CircuitBreaker breaker;
  private final AtomicInteger inFlight = new AtomicInteger();

  EndpointState(CircuitBreaker breaker) {
    this.breaker = breaker;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  public void requestEnded() {
    inFlight.decrementAndGet();
  }
}
