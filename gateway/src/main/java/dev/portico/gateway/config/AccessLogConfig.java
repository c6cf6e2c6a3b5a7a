package dev.portico.gateway.config;

/**
 * The {@code accessLog} section: one JSON line per request.
 *
 * @param enabled whether to write it
 * @param output {@code stdout}, or the path of a file to append to
 */
public record AccessLogConfig(boolean enabled, String output) {

  public static final String STDOUT = "stdout";
  public static final AccessLogConfig DEFAULT = new AccessLogConfig(false, STDOUT);
}
