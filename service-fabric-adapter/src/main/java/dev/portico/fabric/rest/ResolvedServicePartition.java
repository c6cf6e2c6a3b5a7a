package dev.portico.fabric.rest;

import static dev.portico.fabric.internal.JsonFields.convert;

import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.internal.JsonFields;
import dev.portico.fabric.internal.PartitionInformationJson;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@code GET /Services/{id}/$/ResolvePartition}: the service name, the partition, its
 * endpoints (primary first for a stateful service) and an opaque {@code Version}.
 *
 * <p>{@link #version()} is kept exactly as received: a cluster's version strings are not ours to
 * read, only to send back as {@code PreviousRspVersion}.
 */
public record ResolvedServicePartition(
    FabricName name, PartitionInfo partition, List<ResolvedEndpoint> endpoints, String version) {

  public ResolvedServicePartition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(partition, "partition");
    endpoints = List.copyOf(endpoints);
    version = Objects.requireNonNullElse(version, "");
  }

  /**
   * Reads the REST JSON. {@code Name} and {@code PartitionInformation} are required; a missing
   * {@code Endpoints} is no endpoints and a missing {@code Version} is {@code ""}. {@code Kind} may
   * be a name or the pre-3.0 number.
   */
  public static ResolvedServicePartition fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    FabricName name =
        convert("Name", () -> FabricName.parseService(JsonFields.string(json, "Name")));
    JsonObject info = JsonFields.object(json, "PartitionInformation");
    PartitionInfo partition =
        JsonFields.nested("PartitionInformation", () -> PartitionInformationJson.parse(info));
    List<ResolvedEndpoint> endpoints =
        JsonFields.objects(json, "Endpoints", ResolvedServicePartition::endpoint);
    Object version = json.getValue("Version");
    if (version != null && !(version instanceof String)) {
      throw new FabricFormatException("Version", "expected a string");
    }
    return new ResolvedServicePartition(name, partition, endpoints, (String) version);
  }

  public static ResolvedServicePartition parse(String json) {
    return fromJson(JsonFields.parseObject(json));
  }

  private static ResolvedEndpoint endpoint(JsonObject json) {
    Object kind = json.getValue("Kind");
    ReplicaRole role;
    if (kind == null) {
      throw new FabricFormatException("Kind", "is missing");
    } else if (kind instanceof Integer || kind instanceof Long) {
      long code = ((Number) kind).longValue();
      if (code < Integer.MIN_VALUE
          || code > Integer.MAX_VALUE) { // never truncate into a valid role
        throw new FabricFormatException("Kind", "Unknown endpoint kind " + code);
      }
      role = convert("Kind", () -> ReplicaRole.fromCode((int) code));
    } else if (kind instanceof String) {
      role = convert("Kind", () -> ReplicaRole.parse((String) kind));
    } else {
      throw new FabricFormatException("Kind", "expected a string or an integer, got " + kind);
    }
    return new ResolvedEndpoint(role, EndpointAddresses.parse(JsonFields.string(json, "Address")));
  }

  /** The primary replica of a stateful partition (the first one, should a list ever hold two). */
  public Optional<ResolvedEndpoint> primary() {
    for (ResolvedEndpoint e : endpoints) {
      if (e.role() == ReplicaRole.STATEFUL_PRIMARY) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The secondary replicas, in the order returned. */
  public List<ResolvedEndpoint> secondaries() {
    return withRole(ReplicaRole.STATEFUL_SECONDARY);
  }

  /** The instances of a stateless partition, in the order returned. */
  public List<ResolvedEndpoint> instances() {
    return withRole(ReplicaRole.STATELESS);
  }

  private List<ResolvedEndpoint> withRole(ReplicaRole role) {
    List<ResolvedEndpoint> matching = new ArrayList<>(endpoints.size());
    for (ResolvedEndpoint e : endpoints) {
      if (e.role() == role) {
        matching.add(e);
      }
    }
    return List.copyOf(matching);
  }
}
