package dev.portico.fabric.registry;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.ListenerChoice;
import dev.portico.fabric.ListenerEndpoint;
import dev.portico.fabric.ListenerSelection;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps Service Fabric replicas to discovery registry records and back. One replica (or stateless
 * instance) is one {@code http-endpoint} record:
 *
 * <ul>
 *   <li>service name: the fabric service name, {@code fabric:/App/Svc};
 *   <li>host, port, ssl, root: the replica's default listener under the reverse proxy's rule (the
 *       http/https listener with the smallest name). A replica with no http/https listener gets the
 *       host and port of its first listener (or of its raw address), ssl off and no root, so the
 *       record still says where the replica lives; requests never go there by the record's endpoint
 *       alone, because fabric routing always re-reads {@code sf.address} and applies the listener
 *       rules of the caller's mode;
 *   <li>status UP;
 *   <li>metadata: {@link FabricReplicaMetadata#toJson()} (all strings), plus any extra keys the
 *       publisher adds ({@link #SOURCE}, {@link #CLUSTER_VERSION}, zone, ...).
 * </ul>
 */
public final class FabricRecords {

  /** Who wrote the record: an importer only touches records carrying its own name here. */
  public static final String SOURCE = "sf.source";

  /** The cluster's opaque {@code Version} of the resolution the record was written from. */
  public static final String CLUSTER_VERSION = "sf.clusterVersion";

  /** {@value #OFFLINE_PARTITION} on an offline-partition record; absent on replica records. */
  public static final String RECORD = "sf.record";

  public static final String OFFLINE_PARTITION = "offlinePartition";

  /**
   * The endpoint of an offline-partition record: a name that never resolves (RFC 2606), on a record
   * that is OUT_OF_SERVICE, so nothing can be sent there.
   */
  public static final String OFFLINE_HOST = "offline-partition.invalid";

  private FabricRecords() {}

  /** The record for a replica, with no extra metadata. */
  public static InstanceSpec toInstanceSpec(FabricReplicaMetadata replica) {
    return toInstanceSpec(replica, Map.of());
  }

  /**
   * The record for a replica; {@code extra} metadata is added beside the {@code sf.*} fields and
   * may not override them.
   *
   * @throws UnpublishableReplicaException when the published address has no host and port
   */
  public static InstanceSpec toInstanceSpec(
      FabricReplicaMetadata replica, Map<String, String> extra) {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(extra, "extra");
    Map<String, String> metadata = new HashMap<>(flatten(replica.toJson()));
    for (Map.Entry<String, String> e : extra.entrySet()) {
      if (metadata.containsKey(e.getKey())) {
        throw new IllegalArgumentException("Extra metadata may not override " + e.getKey());
      }
      metadata.put(e.getKey(), e.getValue());
    }
    String service = replica.service().toString();
    EndpointAddresses endpoints = replica.endpoints();
    ListenerChoice http = endpoints.select(Optional.empty(), ListenerSelection.REVERSE_PROXY);
    if (http instanceof ListenerChoice.Chosen) {
      String url = ((ListenerChoice.Chosen) http).listener().address();
      try {
        return InstanceSpec.of(service, url, InstanceStatus.UP, metadata);
      } catch (IllegalArgumentException e) {
        // an http-looking address that is not a URL (e.g. "http://+:80/"): try the fallback
      }
    }
    ListenerChoice first = endpoints.select(Optional.empty(), ListenerSelection.CLIENT);
    if (first instanceof ListenerChoice.Chosen) {
      ListenerEndpoint listener = ((ListenerChoice.Chosen) first).listener();
      HostPort hp = hostPort(listener.address());
      if (hp != null) {
        return new InstanceSpec(service, hp.host, hp.port, false, "", InstanceStatus.UP, metadata);
      }
    }
    throw new UnpublishableReplicaException(
        "Replica "
            + replica.replicaId()
            + " of "
            + service
            + " partition "
            + replica.partition().id()
            + " published no address with a host and port: "
            + endpoints);
  }

  /**
   * The record of a partition the cluster lists with no replica to publish: OUT_OF_SERVICE, at
   * {@link #OFFLINE_HOST} (never called), with the partition's {@code sf.*} keys and {@code
   * sf.record: offlinePartition}, plus {@code extra} metadata. It keeps the partition in the
   * index's table.
   */
  public static InstanceSpec toOfflinePartitionSpec(
      FabricPartitionMetadata partition, Map<String, String> extra) {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(extra, "extra");
    Map<String, String> metadata = new HashMap<>(flatten(partition.toJson()));
    metadata.put(RECORD, OFFLINE_PARTITION);
    for (Map.Entry<String, String> e : extra.entrySet()) {
      if (metadata.containsKey(e.getKey())) {
        throw new IllegalArgumentException("Extra metadata may not override " + e.getKey());
      }
      metadata.put(e.getKey(), e.getValue());
    }
    return new InstanceSpec(
        partition.service().toString(),
        OFFLINE_HOST,
        1,
        false,
        "",
        InstanceStatus.OUT_OF_SERVICE,
        metadata);
  }

  /** Reads a registry record as a Service Fabric replica or offline partition. */
  public static ReplicaRecord fromInstance(ServiceInstance instance) {
    Objects.requireNonNull(instance, "instance");
    Map<String, String> metadata = instance.metadata();
    if (!metadata.containsKey(FabricReplicaMetadata.SERVICE)) {
      return new ReplicaRecord.NotFabric(instance);
    }
    if (OFFLINE_PARTITION.equals(metadata.get(RECORD))) {
      FabricPartitionMetadata partition;
      try {
        partition =
            FabricPartitionMetadata.fromJson(new JsonObject(new HashMap<String, Object>(metadata)));
      } catch (FabricFormatException e) {
        return invalid(instance, "partition metadata", e);
      }
      if (!partition.service().toString().equals(instance.service())) {
        return misfiled(instance, partition.service());
      }
      return new ReplicaRecord.OfflinePartition(instance, partition);
    }
    FabricReplicaMetadata replica;
    try {
      replica =
          FabricReplicaMetadata.fromJson(new JsonObject(new HashMap<String, Object>(metadata)));
    } catch (FabricFormatException e) {
      return invalid(instance, "metadata", e);
    }
    if (!replica.service().toString().equals(instance.service())) {
      return misfiled(instance, replica.service());
    }
    return new ReplicaRecord.Valid(instance, replica);
  }

  private static ReplicaRecord invalid(
      ServiceInstance instance, String what, FabricFormatException e) {
    return new ReplicaRecord.Malformed(
        instance,
        "Record "
            + instance.id()
            + " ("
            + instance.service()
            + ") has invalid Service Fabric "
            + what
            + ": "
            + e.getMessage());
  }

  /** A record whose metadata names another service than the one it is published under. */
  private static ReplicaRecord misfiled(ServiceInstance instance, Object service) {
    return new ReplicaRecord.Malformed(
        instance,
        "Record "
            + instance.id()
            + " is published under \""
            + instance.service()
            + "\" but its "
            + FabricReplicaMetadata.SERVICE
            + " is "
            + service);
  }

  /**
   * JSON metadata as the registry's string map; nulls are dropped, other values written as text.
   */
  public static Map<String, String> flatten(JsonObject json) {
    Map<String, String> out = new HashMap<>();
    json.forEach(
        e -> {
          if (e.getValue() != null) {
            out.put(e.getKey(), String.valueOf(e.getValue()));
          }
        });
    return out;
  }

  private record HostPort(String host, int port) {}

  /**
   * Host and port of {@code scheme://host:port/...} or of a bare {@code host:port}; null when there
   * are none.
   */
  private static HostPort hostPort(String address) {
    try {
      URI uri = new URI(address);
      if (uri.getHost() != null && uri.getPort() > 0) {
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        return new HostPort(host, uri.getPort());
      }
    } catch (URISyntaxException e) {
      // not a URI: maybe host:port
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      return null;
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()
        || host.indexOf('/') >= 0
        || host.chars().anyMatch(Character::isWhitespace)) {
      return null;
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      return port >= 1 && port <= 65535 ? new HostPort(host, port) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
