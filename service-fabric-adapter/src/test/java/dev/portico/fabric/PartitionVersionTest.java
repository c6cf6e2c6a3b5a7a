package dev.portico.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionVersionTest {

  private static final String P = Ids.guid(1);
  private static final String Q = Ids.guid(2);

  @Test
  void comparesByGenerationThenFailoverManagerVersion() {
    PartitionVersion base = new PartitionVersion(P, 3, 40);
    assertThat(new PartitionVersion(P, 3, 41).isNewerThan(base)).isTrue();
    assertThat(new PartitionVersion(P, 4, 1).isNewerThan(base)).isTrue(); // generation wins
    assertThat(new PartitionVersion(P, 2, 99).isNewerThan(base)).isFalse();
    assertThat(base.isNewerThan(base)).isFalse();
    assertThat(new PartitionVersion(P, 4, 1).compareWith(base))
        .isEqualTo(PartitionVersion.Order.NEWER);
    assertThat(base.compareWith(new PartitionVersion(P, 4, 1)))
        .isEqualTo(PartitionVersion.Order.OLDER);
    assertThat(base.compareWith(new PartitionVersion(P, 3, 40)))
        .isEqualTo(PartitionVersion.Order.SAME);
  }

  @Test
  void differentPartitionsAreNotComparable() {
    PartitionVersion a = new PartitionVersion(P, 1, 1);
    PartitionVersion b = new PartitionVersion(Q, 9, 9);
    assertThat(a.isComparableTo(b)).isFalse();
    assertThat(b.isNewerThan(a)).isFalse();
    assertThat(a.isNewerThan(b)).isFalse();
    assertThat(b.compareWith(a)).isEqualTo(PartitionVersion.Order.NOT_COMPARABLE);
    assertThat(new PartitionVersion(P.toUpperCase(), 2, 0).isNewerThan(a))
        .isTrue(); // GUID case does not matter
  }

  @Test
  void encodesAndDecodes() {
    PartitionVersion v = new PartitionVersion(P, 12, Long.MAX_VALUE);
    assertThat(v.encode()).isEqualTo("12:9223372036854775807");
    assertThat(PartitionVersion.decode(P, v.encode())).isEqualTo(v);
    assertThat(PartitionVersion.decode(P, "0:0")).isEqualTo(new PartitionVersion(P, 0, 0));
  }

  @Test
  void decodeRejectsGarbage() {
    assertThatThrownBy(() -> PartitionVersion.decode(P, null)).hasMessageContaining("null");
    for (String garbage :
        new String[] {
          "",
          "12",
          "1:2:3",
          ":5",
          "5:",
          "a:1",
          "1:b",
          "-1:2",
          "+1:2",
          " 1:2",
          "1:2 ",
          "1.5:2",
          "99999999999999999999:1",
          "<opaque string, pass back unchanged>"
        }) {
      assertThatThrownBy(() -> PartitionVersion.decode(P, garbage))
          .as(garbage)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Not a Portico partition version \"" + garbage + "\"")
          .hasMessageContaining("<generation>:<fmVersion>");
    }
  }

  @Test
  void validatesComponents() {
    assertThatThrownBy(() -> new PartitionVersion(" ", 1, 1)).hasMessageContaining("partition id");
    assertThatThrownBy(() -> new PartitionVersion(P, -1, 1)).hasMessageContaining("never negative");
    assertThatThrownBy(() -> new PartitionVersion(P, 1, -1)).hasMessageContaining("never negative");
  }
}
