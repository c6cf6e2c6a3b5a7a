package dev.portico.metrics;

import java.util.Locale;

/** A circuit breaker's state, as the {@code state} and {@code to} labels spell it. */
public enum BreakerState {
  CLOSED,
  OPEN,
  HALF_OPEN;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }

  /** Parses {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN} (any case, {@code -} for {@code _}). */
  public static BreakerState parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
