package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DeclaredInstancesTest {

  @Test
  void declaringIsIdempotentKeepsOperatorStatusAndLeavesOtherRecordsAlone(Vertx vertx) {
    Registry registry = Registry.create(vertx, RegistryOptions.local());
    InstanceSpec a =
        InstanceSpec.of(
            "orders", "http://10.0.0.1:8080/api/", InstanceStatus.UP, Map.of("zone", "east"));
    InstanceSpec b = InstanceSpec.of("orders", "http://10.0.0.2:8080");
    // the same endpoint published by hand (not declared) is not adopted
    ServiceInstance manual =
        registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080/api")).await();

    List<ServiceInstance> first = DeclaredInstances.declare(registry, List.of(a, b)).await();
    assertThat(first).hasSize(2);
    assertThat(first.get(0).metadata())
        .containsEntry("zone", "east")
        .containsEntry(DeclaredInstances.MARKER, "true");
    assertThat(registry.instances().await()).hasSize(3);

    registry.setStatus(first.get(0).id(), InstanceStatus.OUT_OF_SERVICE).await();
    List<ServiceInstance> again =
        DeclaredInstances.declare(registry, List.of(a.withMetadata(Map.of("zone", "west")), b))
            .await();
    assertThat(again)
        .extracting(ServiceInstance::id)
        .containsExactly(first.get(0).id(), first.get(1).id());
    assertThat(again.get(0).status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
    assertThat(again.get(0).metadata()).containsEntry("zone", "west");
    assertThat(registry.instances().await()).hasSize(3).anyMatch(i -> i.id().equals(manual.id()));

    // a copy from a race is removed; the first record found is kept
    registry.publish(b.withMetadata(Map.of(DeclaredInstances.MARKER, "true"))).await();
    assertThat(registry.instances().await()).hasSize(4);
    DeclaredInstances.declare(registry, List.of(b)).await();
    assertThat(registry.instances().await()).hasSize(3);
    registry.close();
  }
}
