package dev.portico.gateway.policy.internal;

import java.time.Duration;

/** Durations in words for problem details: "1 s", "250 ms", "2 min", "1 h", "1 d". */
final class Durations {

  private Durations() {}

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + " d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + " h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + " min";
    }
    if (ms % 1000L == 0) {
      return ms / 1000L + " s";
    }
    return ms + " ms";
  }
}
