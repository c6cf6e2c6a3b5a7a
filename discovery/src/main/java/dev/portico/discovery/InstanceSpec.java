package dev.portico.discovery;

import java.util.Map;
import java.util.Objects;

/**
 * What to publish into the registry: an HTTP endpoint of a service, its status and metadata.
 * Metadata values are strings so that they survive every registry backend unchanged (int64 keys of
 * Service Fabric partitions do not fit a JSON double).
 */
public record InstanceSpec(
    String service,
    String host,
    int port,
    boolean ssl,
    String root,
    InstanceStatus status,
    Map<String, String> metadata) {

  public InstanceSpec {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    root = ServiceInstance.normalizeRoot(root);
    status = status == null ? InstanceStatus.UP : status;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** An UP instance at {@code url} ({@code http(s)://host[:port][/root]}). */
  public static InstanceSpec of(String service, String url) {
    return of(service, url, InstanceStatus.UP, Map.of());
  }

  public static InstanceSpec of(
      String service, String url, InstanceStatus status, Map<String, String> metadata) {
    HttpUrl u;
    try {
      u = HttpUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not a usable http(s) URL (" + e.getMessage() + "): " + url, e);
    }
    return new InstanceSpec(service, u.host(), u.port(), u.ssl(), u.path(), status, metadata);
  }

  public InstanceSpec withStatus(InstanceStatus newStatus) {
    return new InstanceSpec(service, host, port, ssl, root, newStatus, metadata);
  }

  public InstanceSpec withMetadata(Map<String, String> newMetadata) {
    return new InstanceSpec(service, host, port, ssl, root, status, newMetadata);
  }
}
