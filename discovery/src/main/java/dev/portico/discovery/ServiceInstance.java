package dev.portico.discovery;

import java.util.Map;
import java.util.Objects;

/**
 * One live instance of a service as the routing snapshot sees it: an immutable copy of a registry
 * record of type {@code http-endpoint}.
 *
 * @param id the registration id given by the registry (stable across updates)
 * @param service the service name the instance is published under
 * @param host host name or IP literal of the endpoint
 * @param port TCP port of the endpoint
 * @param ssl whether the endpoint speaks TLS
 * @param root base path of the endpoint, {@code ""} or starting with {@code /}, never ending with
 *     {@code /}
 * @param status the record's status
 * @param metadata the record's metadata, flattened to strings (zone, weight, Service Fabric fields,
 *     ...)
 */
public record ServiceInstance(
    String id,
    String service,
    String host,
    int port,
    boolean ssl,
    String root,
    InstanceStatus status,
    Map<String, String> metadata) {

  public ServiceInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(status, "status");
    root = normalizeRoot(root);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * {@code host:port}: identifies the endpoint independently of the registration (breakers are kept
   * per endpoint).
   */
  public String endpointKey() {
    return host + ":" + port;
  }

  /** The base URL of the instance, e.g. {@code http://10.0.0.4:8080/api}. */
  public String baseUrl() {
    return (ssl ? "https://" : "http://") + authority() + root;
  }

  /** The authority as it goes into a {@code Host} header (IPv6 literals bracketed). */
  public String authority() {
    return HttpUrl.authority(host, port);
  }

  public String metadata(String key) {
    return metadata.get(key);
  }

  static String normalizeRoot(String root) {
    if (root == null || root.isEmpty() || root.equals("/")) {
      return "";
    }
    String r = root.startsWith("/") ? root : "/" + root;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
