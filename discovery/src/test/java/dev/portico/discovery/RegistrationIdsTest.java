package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registration ids are version 4 UUIDs, as Service Discovery's own, and do not repeat. */
class RegistrationIdsTest {

  @Test
  void idsAreRandomVersion4UuidsThatDoNotRepeatWithinOrAcrossBulks() {
    Set<String> seen = new HashSet<>();
    for (int bulk = 0; bulk < 4; bulk++) {
      RegistrationIds ids = new RegistrationIds();
      for (int i = 0; i < 50_000; i++) {
        String id = ids.next();
        UUID u = UUID.fromString(id);
        assertThat(u.version()).isEqualTo(4);
        assertThat(u.variant()).isEqualTo(2);
        assertThat(u.toString()).isEqualTo(id);
        assertThat(seen.add(id)).as("repeated id %s", id).isTrue();
      }
    }
  }
}
