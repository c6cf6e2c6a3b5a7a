package dev.portico.gateway.config;

import java.time.Duration;

/**
 * The listener compatible with Service Fabric's reverse proxy ({@code
 * /{App}/{Service}/{suffix}?PartitionKey=…&PartitionKind=…&ListenerName=…&TargetReplicaSelector=…&Timeout=…}).
 *
 * @param enabled off by default
 * @param defaultTimeout bound on a whole request (resolutions, attempts, back-offs) when it has no
 *     {@code Timeout} parameter (the reference's 120 s)
 * @param connectTimeout connection timeout per attempt (the reference's 5 s)
 * @param attemptTimeout response-header timeout per attempt, after which it counts as a {@code
 *     Timeout} and may be resent; {@code null}: none, only the request's bound applies (as in the
 *     reference)
 * @param maxRetries resends per request at most (the reference has no count, only the time bound)
 * @param notFoundRetries resends of a GET/HEAD/OPTIONS answered 404 without {@code X-ServiceFabric:
 *     ResourceNotFound} at most (within maxRetries); then the 404 is the answer (the reference
 *     retries it until its Timeout and answers 504)
 * @param keepForwardedChain false (the reference's way): incoming {@code X-Forwarded-*} and {@code
 *     Forwarded} are dropped and set afresh for this hop; true: they are kept and extended, for a
 *     listener behind a trusted proxy
 * @param backoffMax back-off before each resend is random in [0, backoffMax] (the reference's 5 s)
 * @param bufferBodyLimit request bodies with a Content-Length up to this many bytes are buffered so
 *     a retry can resend them whole; larger or chunked bodies stream and are never resent once sent
 * @param tls certificate validation towards the replicas' https listeners
 * @param breaker per-endpoint circuit breakers of resolved replicas
 * @param https this listener's own TLS, or {@code null} for plain HTTP
 * @param timeouts how long this listener waits for slow or idle clients
 * @param escapedSlashes what it does with encoded slashes and backslashes in paths
 */
public record ReverseProxyConfig(
    boolean enabled,
    String host,
    int port,
    Duration defaultTimeout,
    Duration connectTimeout,
    Duration attemptTimeout,
    int maxRetries,
    int notFoundRetries,
    boolean keepForwardedChain,
    Duration backoffMax,
    long bufferBodyLimit,
    TlsConfig tls,
    CircuitBreakerConfig breaker,
    ListenerHttps https,
    ClientTimeouts timeouts,
    EscapedSlashes escapedSlashes) {

  public static final int DEFAULT_PORT = 19081;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_RETRIES = 10;
  public static final int DEFAULT_NOT_FOUND_RETRIES = 2;
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);
  public static final long DEFAULT_BUFFER_BODY_LIMIT = 64 * 1024;

  public static final ReverseProxyConfig OFF =
      new ReverseProxyConfig(
          false,
          "0.0.0.0",
          DEFAULT_PORT,
          DEFAULT_TIMEOUT,
          DEFAULT_CONNECT_TIMEOUT,
          null,
          DEFAULT_MAX_RETRIES,
          DEFAULT_NOT_FOUND_RETRIES,
          false,
          DEFAULT_BACKOFF_MAX,
          DEFAULT_BUFFER_BODY_LIMIT,
          TlsConfig.DEFAULT,
          CircuitBreakerConfig.DEFAULT,
          null,
          ClientTimeouts.DEFAULT,
          EscapedSlashes.REJECT);

  public ReverseProxyConfig {
    timeouts = timeouts == null ? ClientTimeouts.DEFAULT : timeouts;
    escapedSlashes = escapedSlashes == null ? EscapedSlashes.REJECT : escapedSlashes;
  }
}
