package dev.portico.gateway.config;

import java.time.Duration;

/**
 * @param connect time to obtain a connection to the backend (a failure is a {@code
 *     BackendConnectionFailure})
 * @param response time from forwarding until the backend's response headers arrive (a failure is a
 *     {@code Timeout})
 */
public record Timeouts(Duration connect, Duration response) {
  public static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300));
}
