package dev.portico.gateway.config;

/**
 * How the gateway speaks to a backend's endpoints ({@code backends[].protocol}).
 *
 * @param version HTTP/1.1 (the default) or HTTP/2: h2 negotiated by ALPN for https endpoints, h2c
 *     with prior knowledge for http ones (no upgrade round trip: what gRPC servers expect)
 * @param maxConcurrentStreams HTTP/2 only: streams one connection carries at once before the pool
 *     opens another ({@code backends[].maxConcurrentStreams}); the backend's own SETTINGS can lower
 *     it
 */
public record BackendProtocol(Version version, int maxConcurrentStreams) {

  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;

  public static final BackendProtocol HTTP1 =
      new BackendProtocol(Version.HTTP1, DEFAULT_MAX_CONCURRENT_STREAMS);

  public enum Version {
    HTTP1,
    HTTP2
  }

  public boolean http2() {
    return version == Version.HTTP2;
  }
}
