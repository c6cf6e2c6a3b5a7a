package dev.portico.gateway.config;

/**
 * The gateway's listeners. Port 0 binds an ephemeral port (tests).
 *
 * @param serviceFabricReverseProxy the Service-Fabric-reverse-proxy-compatible listener (off by default)
 */
public record Listeners(Listener traffic, Listener management, ReverseProxyConfig serviceFabricReverseProxy) {

  public Listeners {
    serviceFabricReverseProxy = serviceFabricReverseProxy == null ? ReverseProxyConfig.OFF : serviceFabricReverseProxy;
  }

  public Listeners(Listener traffic, Listener management) {
    this(traffic, management, null);
  }

  /** @param https TLS settings, or {@code null} for plain HTTP */
  public record Listener(String host, int port, ListenerHttps https) {

    public Listener(String host, int port) {
      this(host, port, null);
    }

    /** {@code http} or {@code https}, for logs. */
    public String scheme() {
      return ListenerHttps.scheme(https);
    }
  }
}
