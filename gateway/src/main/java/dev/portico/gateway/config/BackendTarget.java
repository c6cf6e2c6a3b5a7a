package dev.portico.gateway.config;

/** What a backend URL names. Closed: a fixed URL or a registry service (Service Fabric names join later). */
public sealed interface BackendTarget {

  /** An absolute base URL, fixed at configuration time. */
  record FixedUrl(String url, boolean ssl, String host, int port, String basePath) implements BackendTarget {
    public String authority() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** A service of the discovery registry, resolved to one of its UP instances per request. */
  record RegistryService(String service) implements BackendTarget {
  }
}
