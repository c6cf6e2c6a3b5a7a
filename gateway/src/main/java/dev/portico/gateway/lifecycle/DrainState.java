package dev.portico.gateway.lifecycle;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether the gateway is draining, shared by its listeners. Before the drain, reading it costs one
 * volatile load per response; once it has begun, responses tell their clients to go ({@code
 * Connection: close}, HTTP/2 GOAWAY).
 */
public final class DrainState {

  private volatile boolean draining;
  private volatile long deadlineNanos;
  private volatile Instant since;

  /**
   * Starts the drain (once): from now on responses close their connections; requests may run until
   * {@code grace} is over.
   */
  synchronized boolean begin(Duration grace) {
    if (draining) {
      return false;
    }
    since = Instant.now();
    deadlineNanos = System.nanoTime() + grace.toNanos();
    draining = true;
    return true;
  }

  public boolean draining() {
    return draining;
  }

  /** When the drain began, {@code null} before. */
  public Instant since() {
    return since;
  }

  /**
   * Milliseconds left of the grace period (at least 1 while draining, so that it can be used as a
   * timeout); 0 before the drain.
   */
  public long remainingMillis() {
    if (!draining) {
      return 0;
    }
    return Math.max(1, Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis());
  }
}
