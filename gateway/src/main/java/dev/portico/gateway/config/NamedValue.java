package dev.portico.gateway.config;

/**
 * A named value, already resolved from config, environment or file. Referenced as {@code {{name}}}.
 * A secret's value is never logged nor shown: {@link #toString()} hides it.
 */
public record NamedValue(String name, String value, boolean secret) {

  @Override
  public String toString() {
    return "NamedValue[name="
        + name
        + ", value="
        + (secret ? "***" : value)
        + ", secret="
        + secret
        + "]";
  }
}
