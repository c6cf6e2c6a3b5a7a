package dev.portico.fabric.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.fabric.ServiceKind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicaSelectorTest {

  @Test
  void readsTheReverseProxyNamesAndApimReplicaTypes() {
    assertThat(ReplicaSelector.parseTargetReplicaSelector("PrimaryReplica"))
        .contains(ReplicaSelector.PRIMARY);
    assertThat(ReplicaSelector.parseTargetReplicaSelector("randomsecondaryreplica"))
        .contains(ReplicaSelector.RANDOM_SECONDARY);
    assertThat(ReplicaSelector.parseTargetReplicaSelector("RandomReplica"))
        .contains(ReplicaSelector.RANDOM_REPLICA);
    assertThat(ReplicaSelector.parseTargetReplicaSelector("RandomInstance"))
        .contains(ReplicaSelector.RANDOM_INSTANCE);
    assertThat(ReplicaSelector.parseTargetReplicaSelector(null)).isEmpty();
    assertThat(ReplicaSelector.parseTargetReplicaSelector("")).isEmpty();
    assertThatThrownBy(() -> ReplicaSelector.parseTargetReplicaSelector("Leader"))
        .hasMessageContaining("Unknown TargetReplicaSelector \"Leader\"");

    assertThat(ReplicaSelector.parseApimReplicaType("primary")).contains(ReplicaSelector.PRIMARY);
    assertThat(ReplicaSelector.parseApimReplicaType("Secondary"))
        .contains(ReplicaSelector.RANDOM_SECONDARY);
    assertThat(ReplicaSelector.parseApimReplicaType(null)).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> ReplicaSelector.parseApimReplicaType("any"))
        .hasMessageContaining("sf-replica-type");

    assertThat(ReplicaSelector.defaultFor(ServiceKind.STATEFUL)).isEqualTo(ReplicaSelector.PRIMARY);
    assertThat(ReplicaSelector.defaultFor(ServiceKind.STATELESS))
        .isEqualTo(ReplicaSelector.RANDOM_INSTANCE);
    assertThat(ReplicaSelector.RANDOM_SECONDARY.reverseProxyName())
        .isEqualTo("RandomSecondaryReplica");
  }
}
