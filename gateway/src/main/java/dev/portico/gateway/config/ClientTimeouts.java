package dev.portico.gateway.config;

import java.time.Duration;

/**
 * How long a listener waits for its clients (HTTP/1.x connections). A client that is slower than
 * this is cut off, so slow or idle connections cannot pile up (slowloris).
 *
 * @param requestHeaders the whole request head (request line and header fields) must arrive within
 *     this, counted from the connection's opening for its first request and from the first byte of
 *     the head for later ones; late: {@code 408} and the connection closed
 * @param requestBodyIdle longest pause between two reads of a request body while the gateway is
 *     reading it; longer: {@code 408} when the response has not started, and the connection closed
 *     (the backend's request is reset)
 * @param keepAlive longest idle time of a keep-alive connection between a response and the next
 *     request's first byte; then it is closed silently
 */
public record ClientTimeouts(
    Duration requestHeaders, Duration requestBodyIdle, Duration keepAlive) {

  public static final ClientTimeouts DEFAULT =
      new ClientTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(75));

  public ClientTimeouts {
    requestHeaders = requestHeaders == null ? DEFAULT.requestHeaders : requestHeaders;
    requestBodyIdle = requestBodyIdle == null ? DEFAULT.requestBodyIdle : requestBodyIdle;
    keepAlive = keepAlive == null ? DEFAULT.keepAlive : keepAlive;
  }
}
