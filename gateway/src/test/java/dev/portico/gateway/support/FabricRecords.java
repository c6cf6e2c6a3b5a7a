package dev.portico.gateway.support;

import static org.awaitility.Awaitility.await;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionScheme;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import dev.portico.gateway.GatewayVerticle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Service Fabric replica records, as an importer publishes them, for a gateway's registry. */
public final class FabricRecords {

  private FabricRecords() {}

  public static String guid(int n) {
    return String.format("%08x-0000-4000-8000-%012x", n, (long) n * 7);
  }

  /** Int64Range partitions of {@code [low, high]}, ids {@code guid(idBase + i)}. */
  public static List<PartitionInfo> int64(long low, long high, int count, int idBase) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(guid(idBase + i));
    }
    return new PartitionScheme.UniformInt64Range(low, high, count).toPartitions(ids);
  }

  /**
   * A Reliable Services address with one default listener, slashes escaped as real replicas publish
   * them.
   */
  public static String address(String url) {
    return addresses(Map.of("", url));
  }

  /** {@code {"Endpoints":{name: url, ...}}} in the given order, slashes escaped. */
  public static String addresses(Map<String, String> listeners) {
    StringBuilder sb = new StringBuilder("{\"Endpoints\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : new LinkedHashMap<>(listeners).entrySet()) {
      sb.append(first ? "" : ",")
          .append('"')
          .append(e.getKey())
          .append("\":\"")
          .append(e.getValue().replace("/", "\\/"))
          .append('"');
      first = false;
    }
    return sb.append("}}").toString();
  }

  public static InstanceSpec record(
      String service,
      ServiceKind kind,
      PartitionInfo partition,
      ReplicaRole role,
      String replicaId,
      String address,
      long generation) {
    FabricName name = FabricName.parseService(service);
    FabricReplicaMetadata m =
        new FabricReplicaMetadata(
            name.application(), name, kind, partition, role, replicaId, address, generation, 0);
    return dev.portico.fabric.registry.FabricRecords.toInstanceSpec(m);
  }

  public static InstanceSpec down(InstanceSpec spec) {
    return new InstanceSpec(
        spec.service(),
        spec.host(),
        spec.port(),
        spec.ssl(),
        spec.root(),
        InstanceStatus.DOWN,
        spec.metadata());
  }

  /** Publishes and returns the record id. */
  public static String publish(GatewayVerticle gw, InstanceSpec spec) {
    return gw.registry().publish(spec).await().id();
  }

  /**
   * Waits until the gateway's index holds {@code replicas} UP replicas of {@code service}, all at
   * least of {@code generation}.
   */
  public static void awaitIndexed(GatewayVerticle gw, String service, int replicas) {
    FabricName name = FabricName.parseService(service);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                gw.fabric()
                    .index()
                    .service(name)
                    .map(
                        s ->
                            s.partitions().stream().mapToInt(p -> p.replicas().size()).sum()
                                == replicas)
                    .orElse(false));
  }

  /**
   * Waits until the partition {@code partitionId} of {@code service} is indexed at {@code
   * generation} or later.
   */
  public static void awaitGeneration(
      GatewayVerticle gw, String service, String partitionId, long generation) {
    FabricName name = FabricName.parseService(service);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                gw.fabric()
                    .index()
                    .service(name)
                    .flatMap(s -> s.partition(partitionId))
                    .map(p -> p.version().generation() >= generation)
                    .orElse(false));
  }
}
