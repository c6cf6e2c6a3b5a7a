package dev.portico.discovery.json;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * The one duration syntax of Portico's configuration: ISO 8601 ({@code PT30S}, {@code PT0.5S},
 * {@code PT2M}, {@code P1D}), shared by the gateway's configuration and the Service Fabric
 * importer's.
 */
public final class IsoDurations {

  /** What a problem with a duration says after the value: the syntax, by example. */
  public static final String EXPECTED =
      "is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)";

  private IsoDurations() {}

  /**
   * @throws IllegalArgumentException saying "'text' is not an ISO 8601 duration (examples: ...)"
   */
  public static Duration parse(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' " + EXPECTED, e);
    }
  }
}
