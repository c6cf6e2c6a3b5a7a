package dev.portico.fabric.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  @Test
  void clientDelayIsJitterPlusOneSecondDoublingEveryThirdAttempt() {
    assertThat(RetryBackoff.client(0, Fixtures.fixed(0, 0))).isEqualTo(Duration.ofMillis(1000));
    assertThat(RetryBackoff.client(2, Fixtures.fixed(0, 0))).isEqualTo(Duration.ofMillis(1000));
    assertThat(RetryBackoff.client(3, Fixtures.fixed(0, 0))).isEqualTo(Duration.ofMillis(2000));
    assertThat(RetryBackoff.client(6, Fixtures.fixed(0, 500))).isEqualTo(Duration.ofMillis(4500));
    assertThat(RetryBackoff.client(9, Fixtures.fixed(0, 1999))).isEqualTo(Duration.ofMillis(9999));
    // the jitter stays below 2 s whatever the source says
    assertThat(RetryBackoff.client(0, Fixtures.fixed(0, 5000))).isEqualTo(Duration.ofMillis(2999));
  }

  @Test
  void clientShiftIsCapped() {
    assertThat(RetryBackoff.client(15, Fixtures.fixed(0, 0))).isEqualTo(Duration.ofSeconds(32));
    assertThat(RetryBackoff.client(300, Fixtures.fixed(0, 0))).isEqualTo(Duration.ofSeconds(32));
    assertThat(RetryBackoff.client(300, 2, Fixtures.fixed(0, 7)))
        .isEqualTo(Duration.ofMillis(4007));
    assertThatThrownBy(() -> RetryBackoff.client(-1, Fixtures.fixed(0, 0)))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> RetryBackoff.client(0, 31, Fixtures.fixed(0, 0)))
        .hasMessageContaining("maxShift");
  }

  @Test
  void reverseProxyDelayIsUniformWithinZeroToFiveSecondsInclusive() {
    assertThat(RetryBackoff.reverseProxy(Fixtures.fixed(0, 0))).isEqualTo(Duration.ZERO);
    assertThat(RetryBackoff.reverseProxy(Fixtures.fixed(0, 5000))).isEqualTo(Duration.ofSeconds(5));
    assertThat(RetryBackoff.reverseProxy(Fixtures.fixed(0, 99_999)))
        .isEqualTo(Duration.ofSeconds(5));
    for (int i = 0; i < 1000; i++) {
      assertThat(RetryBackoff.reverseProxy(ThreadLocalRandom.current()))
          .isBetween(Duration.ZERO, Duration.ofSeconds(5));
      assertThat(RetryBackoff.client(4, ThreadLocalRandom.current()))
          .isBetween(Duration.ofSeconds(2), Duration.ofMillis(3999));
    }
  }
}
