package dev.portico.gateway.backend;

import dev.portico.gateway.resilience.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the gateway remembers about one endpoint of one backend across registry snapshots: its
 * circuit breaker, the requests in flight on it and its affinity token. Shared by all event loops.
 */
public final class EndpointState {

  private final CircuitBreaker breaker;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final String backend;
  private final String endpoint;

  /**
   * Computed on first use, then kept for the endpoint's life (racing threads compute the same
   * value).
   */
  private String token;

  EndpointState(CircuitBreaker breaker, String backend, String endpoint) {
    this.breaker = breaker;
    this.backend = backend;
    this.endpoint = endpoint;
  }

  /**
   * The endpoint's session affinity token: the first 8 bytes of SHA-256({@code backend|endpoint}),
   * in hex. Stable across snapshots, restarts and every gateway sharing a registry (a cookie set by
   * one is honoured by the others); computed once per endpoint, not per snapshot.
   */
  public String token() {
    String t = token;
    if (t == null) {
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256")
                .digest((backend + "|" + endpoint).getBytes(StandardCharsets.UTF_8));
        t = HexFormat.of().formatHex(digest, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      token = t;
    }
    return t;
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
