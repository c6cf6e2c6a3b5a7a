package dev.portico.gateway.resilience;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

/** Parses {@code Retry-After}: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
public final class RetryAfter {

  private RetryAfter() {}

  /** Nanoseconds to wait, or -1 when absent or unreadable. A date in the past reads as 0. */
  public static long parseNanos(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return TimeUnit.SECONDS.toNanos(Long.parseLong(v));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Math.max(0, TimeUnit.MILLISECONDS.toNanos(at.toEpochMilli() - now.toEpochMilli()));
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
