package dev.portico.fabric.resolve;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import java.util.random.RandomGenerator;

/** Test helpers: partition ids, replica metadata, registry records, fixed randomness. */
final class Fixtures {

  private Fixtures() {}

  static String guid(int n) {
    return String.format("%08x-0000-4000-8000-%012x", n, (long) n * 7919);
  }

  static String endpoints(String defaultUrl) {
    return "{\"Endpoints\":{\"\":\"" + defaultUrl.replace("/", "\\/") + "\"}}";
  }

  static FabricReplicaMetadata replica(
      String service,
      ServiceKind kind,
      PartitionInfo partition,
      ReplicaRole role,
      String replicaId,
      String address,
      long generation) {
    FabricName name = FabricName.parseService(service);
    return new FabricReplicaMetadata(
        name.application(), name, kind, partition, role, replicaId, address, generation, 0);
  }

  static InstanceSpec spec(FabricReplicaMetadata m) {
    return FabricRecords.toInstanceSpec(m);
  }

  static ServiceInstance instance(String id, FabricReplicaMetadata m) {
    return instance(id, m, InstanceStatus.UP);
  }

  static ServiceInstance instance(String id, FabricReplicaMetadata m, InstanceStatus status) {
    InstanceSpec s = spec(m);
    return new ServiceInstance(
        id, s.service(), s.host(), s.port(), s.ssl(), s.root(), status, s.metadata());
  }

  /** Always picks {@code index} (modulo the bound) and {@code millis} (capped below the bound). */
  static RandomGenerator fixed(int index, long millis) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return millis;
      }

      @Override
      public long nextLong(long bound) {
        return Math.min(millis, bound - 1);
      }

      @Override
      public int nextInt(int bound) {
        return index % bound;
      }
    };
  }
}
