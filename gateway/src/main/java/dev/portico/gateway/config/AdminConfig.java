package dev.portico.gateway.config;

/**
 * The admin API on the management listener.
 *
 * @param token the bearer token every {@code /admin} request must carry; {@code null}: the admin
 *     API is off. {@link #toString()} never shows it.
 */
public record AdminConfig(String token) {

  public static final AdminConfig OFF = new AdminConfig(null);

  /** Shorter tokens are refused: the admin API can take endpoints out of service. */
  public static final int MIN_TOKEN_LENGTH = 16;

  public boolean enabled() {
    return token != null;
  }

  @Override
  public String toString() {
    return "AdminConfig[" + (token == null ? "off" : "token=***") + "]";
  }
}
