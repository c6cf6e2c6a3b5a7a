package dev.portico.gateway.config;

/**
 * The gateway's listeners. Port 0 binds an ephemeral port (tests).
 *
 * @param serviceFabricReverseProxy the Service-Fabric-reverse-proxy-compatible listener (off by
 *     default)
 */
public record Listeners(
    Listener traffic, Listener management, ReverseProxyConfig serviceFabricReverseProxy) {

  public Listeners {
    serviceFabricReverseProxy =
        serviceFabricReverseProxy == null ? ReverseProxyConfig.OFF : serviceFabricReverseProxy;
  }

  public Listeners(Listener traffic, Listener management) {
    this(traffic, management, null);
  }

  /**
   * @param https TLS settings, or {@code null} for plain HTTP
   * @param timeouts how long it waits for slow or idle clients
   * @param escapedSlashes what it does with encoded slashes and backslashes in paths
   * @param h2c a plain listener also accepts cleartext HTTP/2 with prior knowledge (issue 14;
   *     opt-in)
   */
  public record Listener(
      String host,
      int port,
      ListenerHttps https,
      ClientTimeouts timeouts,
      EscapedSlashes escapedSlashes,
      boolean h2c) {

    public Listener {
      timeouts = timeouts == null ? ClientTimeouts.DEFAULT : timeouts;
      escapedSlashes = escapedSlashes == null ? EscapedSlashes.REJECT : escapedSlashes;
    }

    public Listener(
        String host,
        int port,
        ListenerHttps https,
        ClientTimeouts timeouts,
        EscapedSlashes escapedSlashes) {
      this(host, port, https, timeouts, escapedSlashes, false);
    }

    public Listener(String host, int port) {
      this(host, port, null);
    }

    public Listener(String host, int port, ListenerHttps https) {
      this(host, port, https, null, null);
    }

    /** {@code http} or {@code https}, for logs. */
    public String scheme() {
      return ListenerHttps.scheme(https);
    }
  }
}
