package dev.portico.gateway.backend;

import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.metrics.BreakerState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * What the gateway remembers about one endpoint of one backend across registry snapshots: its
 * circuit breaker, the requests in flight on it and its affinity token. Shared by all event loops.
 *
 * <p>The breaker is made at its first use ({@link #breaker()}, from any event loop: racing threads
 * agree on one), not when the snapshot is compiled: at 50,000 endpoints most are never asked for
 * one before traffic reaches them, and a breaker never made reads closed ({@link #breakerState()}).
 */
public final class EndpointState {

  private static final VarHandle BREAKER;
  private static final VarHandle IN_FLIGHT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      BREAKER = l.findVarHandle(EndpointState.class, "breaker", CircuitBreaker.class);
      IN_FLIGHT = l.findVarHandle(EndpointState.class, "inFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Its backend's settings: the breaker's rules and probe timeout. */
  private final Upstream upstream;

  private final String endpoint;
  private final Consumer<BreakerTransition> transitions;
  private volatile CircuitBreaker breaker;

  /** Set when the endpoint left its backend: a breaker made later is retired at once. */
  private volatile boolean retired;

  @SuppressWarnings("unused") // through IN_FLIGHT
  private volatile int inFlight;

  /**
   * Computed on first use, then kept for the endpoint's life (racing threads compute the same
   * value).
   */
  private String token;

  /**
   * @param transitions told about the breaker's transitions
   */
  EndpointState(Upstream upstream, String endpoint, Consumer<BreakerTransition> transitions) {
    this.upstream = upstream;
    this.endpoint = endpoint;
    this.transitions = transitions;
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
                .digest((upstream.id() + "|" + endpoint).getBytes(StandardCharsets.UTF_8));
        t = HexFormat.of().formatHex(digest, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      token = t;
    }
    return t;
  }

  /** The endpoint's breaker, made now if it was not yet. */
  public CircuitBreaker breaker() {
    CircuitBreaker b = breaker;
    return b != null ? b : makeBreaker();
  }

  private CircuitBreaker makeBreaker() {
    CircuitBreaker made =
        new CircuitBreaker(
            upstream.id(),
            endpoint,
            upstream.breaker(),
            upstream
                .breaker()
                .probeTimeout(
                    Duration.ofMillis(upstream.connectTimeoutMs()),
                    Duration.ofMillis(upstream.responseTimeoutMs())),
            transitions);
    CircuitBreaker witness = (CircuitBreaker) BREAKER.compareAndExchange(this, null, made);
    if (witness != null) {
      return witness;
    }
    if (retired) {
      made.retire();
    }
    return made;
  }

  /**
   * Whether the breaker would let a request through now, without taking a permit: {@link
   * CircuitBreaker#isAvailable} of a made breaker; {@code true} without making one (a breaker never
   * made is closed). A balancer weighs several endpoints per request and takes a permit from one:
   * the others' breakers need not exist (issue 13: 50,000 endpoints).
   */
  public boolean available(long now) {
    CircuitBreaker b = breaker;
    return b == null || b.isAvailable(now);
  }

  /** Whether the breaker was made (it has been used). */
  public boolean hasBreaker() {
    return breaker != null;
  }

  /** The breaker's state; closed for a breaker not made yet (without making it). */
  public BreakerState breakerState() {
    CircuitBreaker b = breaker;
    return b == null ? BreakerState.CLOSED : b.state();
  }

  /** Closes the breaker now if it was made (one never made is closed). */
  public void resetBreaker() {
    CircuitBreaker b = breaker;
    if (b != null) {
      b.reset();
    }
  }

  /** The endpoint left its backend: its breaker, made or not, announces no further transitions. */
  void retire() {
    retired = true;
    CircuitBreaker b = breaker;
    if (b != null) {
      b.retire();
    }
  }

  public int inFlight() {
    return (int) IN_FLIGHT.getVolatile(this);
  }

  public void requestStarted() {
    IN_FLIGHT.getAndAdd(this, 1);
  }

  public void requestEnded() {
    IN_FLIGHT.getAndAdd(this, -1);
  }
}
