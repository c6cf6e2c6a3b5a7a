package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A snapshot derived from another: changed services replaced, the rest shared, immutable. */
class RegistrySnapshotTest {

  static ServiceInstance instance(String id, String service, InstanceStatus status) {
    return new ServiceInstance(id, service, "10.0.0.1", 8080, false, "", status, Map.of());
  }

  @Test
  void aDerivedSnapshotReplacesOnlyWhatChangedAndCannotBeModified() {
    RegistrySnapshot first =
        RegistrySnapshot.of(
            1,
            List.of(
                instance("a1", "a", InstanceStatus.UP),
                instance("b1", "b", InstanceStatus.UP),
                instance("c1", "c", InstanceStatus.UP)));
    RegistrySnapshot.ServiceGroup b2 =
        RegistrySnapshot.group("b", List.of(instance("b1", "b", InstanceStatus.DOWN)));
    Map<String, RegistrySnapshot.ServiceGroup> changed = new HashMap<>();
    changed.put("b", b2);
    changed.put("c", null);
    changed.put("d", RegistrySnapshot.group("d", List.of(instance("d1", "d", InstanceStatus.UP))));
    RegistrySnapshot second = first.with(2, changed);

    assertThat(second.version()).isEqualTo(2);
    assertThat(second.services()).containsOnlyKeys("a", "b", "d").hasSize(3);
    assertThat(second.service("a")).isSameAs(first.service("a"));
    assertThat(second.service("b")).isSameAs(b2);
    assertThat(second.service("c")).isNull();
    assertThat(second.up("b")).isEmpty();
    assertThat(second.up("d")).extracting(ServiceInstance::id).containsExactly("d1");
    assertThat(second.size()).isEqualTo(3);
    assertThat(second.all())
        .extracting(ServiceInstance::id)
        .containsExactlyInAnyOrder("a1", "b1", "d1");
    // the first is untouched
    assertThat(first.services()).containsOnlyKeys("a", "b", "c");
    assertThat(first.up("b")).extracting(ServiceInstance::id).containsExactly("b1");
    // changing the map given to with() afterwards changes nothing
    changed.put("e", b2);
    assertThat(second.services()).doesNotContainKey("e");

    // immutable like a copied map, through every view
    Map<String, RegistrySnapshot.ServiceGroup> services = second.services();
    assertThatThrownBy(() -> services.put("x", b2))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> services.remove("a"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(services::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> services.keySet().remove("a"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> services.values().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> services.entrySet().iterator().next().setValue(b2))
        .isInstanceOf(UnsupportedOperationException.class);

    // equal to the same services copied the ordinary way; derived again, still right
    assertThat(second).isEqualTo(new RegistrySnapshot(2, Map.copyOf(second.services())));
    assertThat(new RegistrySnapshot(2, second.services()).services()).isSameAs(second.services());
    RegistrySnapshot third = second.with(3, Map.of("a", b2));
    assertThat(third.service("a")).isSameAs(b2);
    assertThat(third.service("d")).isSameAs(second.service("d"));
    assertThat(second.service("a")).isSameAs(first.service("a"));
  }
}
