package dev.portico.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionKeyTest {

  @Test
  void typeCodesAreServiceFabrics() {
    assertThat(PartitionKey.none().typeCode()).isEqualTo(1);
    assertThat(PartitionKey.int64(5).typeCode()).isEqualTo(2);
    assertThat(PartitionKey.named("x").typeCode()).isEqualTo(3);
    assertThat(PartitionKind.SINGLETON.keyTypeCode()).isEqualTo(1);
    assertThat(PartitionKind.INT64_RANGE.keyTypeCode()).isEqualTo(2);
    assertThat(PartitionKind.NAMED.keyTypeCode()).isEqualTo(3);
  }

  @Test
  void parsesReverseProxyParameters() {
    assertThat(PartitionKey.parse("Int64Range", "42")).isEqualTo(PartitionKey.int64(42));
    assertThat(PartitionKey.parse("int64range", "-9223372036854775808"))
        .isEqualTo(PartitionKey.int64(Long.MIN_VALUE));
    assertThat(PartitionKey.parse("UniformInt64Range", "9223372036854775807"))
        .isEqualTo(PartitionKey.int64(Long.MAX_VALUE));
    assertThat(PartitionKey.parse("Named", "west")).isEqualTo(PartitionKey.named("west"));
    assertThat(PartitionKey.parse("NAMED", "West")).isEqualTo(PartitionKey.named("West"));
    assertThat(PartitionKey.parse("Singleton", null)).isEqualTo(PartitionKey.none());
    assertThat(PartitionKey.parse(null, null)).isSameAs(PartitionKey.none());
    assertThat(PartitionKey.parse("", "")).isEqualTo(PartitionKey.none());
  }

  @Test
  void rejectsBadKeysWithClearErrors() {
    assertThatThrownBy(() -> PartitionKey.parse("Int64Range", "abc"))
        .isInstanceOf(InvalidPartitionKeyException.class)
        .hasMessageContaining("\"abc\" is not a 64-bit integer");
    assertThatThrownBy(() -> PartitionKey.parse("Int64Range", "9223372036854775808"))
        .hasMessageContaining("is not a 64-bit integer");
    assertThatThrownBy(() -> PartitionKey.parse("Int64Range", " 42"))
        .hasMessageContaining("is not a 64-bit integer");
    assertThatThrownBy(() -> PartitionKey.parse("Int64Range", null))
        .hasMessageContaining("needs a PartitionKey");
    assertThatThrownBy(() -> PartitionKey.parse("Named", ""))
        .hasMessageContaining("non-empty PartitionKey");
    assertThatThrownBy(() -> PartitionKey.parse("Named", null))
        .hasMessageContaining("non-empty PartitionKey");
    assertThatThrownBy(() -> PartitionKey.parse(null, "42"))
        .hasMessageContaining("without PartitionKind");
    assertThatThrownBy(() -> PartitionKey.parse("Singleton", "42"))
        .hasMessageContaining("takes no PartitionKey");
    assertThatThrownBy(() -> PartitionKey.parse("Hash", "42"))
        .isInstanceOf(InvalidPartitionKeyException.class)
        .hasMessageContaining("Unknown partition kind \"Hash\"");
    assertThatThrownBy(() -> PartitionKey.named(""))
        .isInstanceOf(InvalidPartitionKeyException.class);
  }

  @Test
  void restTypeCodesAndValues() {
    assertThat(PartitionKey.fromTypeCode(1, null)).isEqualTo(PartitionKey.none());
    assertThat(PartitionKey.fromTypeCode(2, "-7")).isEqualTo(PartitionKey.int64(-7));
    assertThat(PartitionKey.fromTypeCode(3, "a b")).isEqualTo(PartitionKey.named("a b"));
    assertThatThrownBy(() -> PartitionKey.fromTypeCode(4, "x"))
        .hasMessageContaining("PartitionKeyType 4");
    assertThat(PartitionKey.int64(-7).queryValue()).isEqualTo("-7");
    assertThat(PartitionKey.named("a b").queryValue()).isEqualTo("a b");
    assertThat(PartitionKey.none().queryValue()).isEmpty();
    assertThat(PartitionKey.none().kind()).isEqualTo(PartitionKind.SINGLETON);
  }

  @Test
  void partitionKindNames() {
    assertThat(PartitionKind.parse("Singleton")).isEqualTo(PartitionKind.SINGLETON);
    assertThat(PartitionKind.parse("int64range")).isEqualTo(PartitionKind.INT64_RANGE);
    assertThat(PartitionKind.parse("UniformInt64Range")).isEqualTo(PartitionKind.INT64_RANGE);
    assertThat(PartitionKind.parse("named")).isEqualTo(PartitionKind.NAMED);
    assertThat(PartitionKind.INT64_RANGE.restName()).isEqualTo("Int64Range");
    assertThat(PartitionKind.INT64_RANGE.schemeName()).isEqualTo("UniformInt64Range");
    assertThatThrownBy(() -> PartitionKind.parse(null)).hasMessageContaining("null");
  }

  @Test
  void replicaRolesFromNamesAndNumbers() {
    assertThat(ReplicaRole.parse("Stateless")).isEqualTo(ReplicaRole.STATELESS);
    assertThat(ReplicaRole.parse("StatefulPrimary")).isEqualTo(ReplicaRole.STATEFUL_PRIMARY);
    assertThat(ReplicaRole.parse("statefulsecondary")).isEqualTo(ReplicaRole.STATEFUL_SECONDARY);
    assertThat(ReplicaRole.parse("1")).isEqualTo(ReplicaRole.STATELESS);
    assertThat(ReplicaRole.fromCode(1)).isEqualTo(ReplicaRole.STATELESS);
    assertThat(ReplicaRole.fromCode(2)).isEqualTo(ReplicaRole.STATEFUL_PRIMARY);
    assertThat(ReplicaRole.fromCode(3)).isEqualTo(ReplicaRole.STATEFUL_SECONDARY);
    assertThatThrownBy(() -> ReplicaRole.fromCode(0))
        .hasMessageContaining("Unknown endpoint kind 0");
    assertThatThrownBy(() -> ReplicaRole.parse("Invalid")).hasMessageContaining("\"Invalid\"");
    assertThatThrownBy(() -> ReplicaRole.parse("4"))
        .hasMessageContaining("Unknown endpoint kind 4");
    assertThat(ReplicaRole.STATEFUL_SECONDARY.serviceKind()).isEqualTo(ServiceKind.STATEFUL);
    assertThat(ReplicaRole.STATELESS.serviceKind()).isEqualTo(ServiceKind.STATELESS);
    assertThat(ReplicaRole.STATEFUL_PRIMARY.restName()).isEqualTo("StatefulPrimary");
  }

  @Test
  void serviceKinds() {
    assertThat(ServiceKind.parse("Stateful")).isEqualTo(ServiceKind.STATEFUL);
    assertThat(ServiceKind.parse("stateless")).isEqualTo(ServiceKind.STATELESS);
    assertThatThrownBy(() -> ServiceKind.parse("Actor")).hasMessageContaining("\"Actor\"");
  }
}
