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

  public record Listener(String host, int port) {
  }
}
