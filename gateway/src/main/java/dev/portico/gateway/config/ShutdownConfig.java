package dev.portico.gateway.config;

import java.time.Duration;

/**
 * How the gateway drains on SIGTERM/SIGINT ({@code gateway.shutdown}).
 *
 * @param delay from the signal to closing the listeners: readiness already answers 503 {@code
 *     draining}, so that load balancers (Kubernetes endpoints) stop sending new connections while
 *     the listeners still accept them; zero by default
 * @param gracePeriod from the signal, how long requests in flight may take to finish; what is still
 *     in flight then is cut off, logged and counted
 */
public record ShutdownConfig(Duration delay, Duration gracePeriod) {

  public static final ShutdownConfig DEFAULT =
      new ShutdownConfig(Duration.ZERO, Duration.ofSeconds(30));
}
