package dev.portico.gateway.demo;

import dev.portico.discovery.InstanceSpec;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionScheme;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A partitioned, Service-Fabric-style demo service: {@code fabric:/Demo/Orders}, stateful,
 * UniformInt64Range over keys 0-299 in three partitions ([0,99], [100,199], [200,299]), each with a
 * primary and a secondary replica. Every replica is an in-process {@link DemoBackend} on loopback
 * that answers JSON naming itself, its partition and its role; its registry record is exactly what
 * an importer publishes for a real cluster's replica (address escaped as real replicas publish it),
 * so the gateway resolves it the same way.
 */
public final class FabricDemo {

  public static final FabricName SERVICE = FabricName.parseService("fabric:/Demo/Orders");

  /** {@code sf.source} of the demo's records: no importer owns them. */
  public static final String SOURCE = "portico-demo";

  static final long LOW_KEY = 0;
  static final long HIGH_KEY = 299;
  static final int PARTITIONS = 3;

  private FabricDemo() {}

  /** Starts the six replicas; completes with their registry records, to publish. */
  public static Future<List<InstanceSpec>> start(Vertx vertx) {
    List<String> ids = new ArrayList<>();
    for (int p = 1; p <= PARTITIONS; p++) {
      ids.add(String.format("%08x-0000-4000-8000-%012x", 0xde300000L + p, (long) p));
    }
    List<PartitionInfo> partitions =
        new PartitionScheme.UniformInt64Range(LOW_KEY, HIGH_KEY, PARTITIONS).toPartitions(ids);
    List<InstanceSpec> specs = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int p = 0; p < partitions.size(); p++) {
      PartitionInfo.Int64Range info = (PartitionInfo.Int64Range) partitions.get(p);
      for (ReplicaRole role :
          List.of(ReplicaRole.STATEFUL_PRIMARY, ReplicaRole.STATEFUL_SECONDARY)) {
        String name =
            "orders-"
                + info.low()
                + "-"
                + info.high()
                + "-"
                + (role == ReplicaRole.STATEFUL_PRIMARY ? "primary" : "secondary");
        JsonObject extra =
            new JsonObject()
                .put(
                    "partition",
                    new JsonObject()
                        .put("id", info.id())
                        .put("lowKey", info.low())
                        .put("highKey", info.high()))
                .put("role", role.restName());
        DemoBackend replica = new DemoBackend(SERVICE.toString(), name, "127.0.0.1", extra);
        chain =
            chain.compose(
                v ->
                    vertx
                        .deployVerticle(replica)
                        .map(
                            id -> {
                              String address =
                                  "{\"Endpoints\":{\"\":\"http:\\/\\/127.0.0.1:"
                                      + replica.port()
                                      + "\"}}";
                              FabricReplicaMetadata m =
                                  new FabricReplicaMetadata(
                                      SERVICE.application(),
                                      SERVICE,
                                      ServiceKind.STATEFUL,
                                      info,
                                      role,
                                      name,
                                      address,
                                      1,
                                      0);
                              specs.add(
                                  FabricRecords.toInstanceSpec(
                                      m, Map.of(FabricRecords.SOURCE, SOURCE)));
                              return null;
                            }));
      }
    }
    return chain.map(v -> specs);
  }
}
