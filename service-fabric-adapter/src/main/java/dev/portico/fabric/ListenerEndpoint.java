package dev.portico.fabric;

import java.util.Objects;

/** One listener a replica published: its name ({@code ""} is the default listener) and address. */
public record ListenerEndpoint(String name, String address) {

  public ListenerEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
  }

  /** Whether the address is an {@code http://} or {@code https://} URL (scheme in any case). */
  public boolean isHttp() {
    return address.regionMatches(true, 0, "http://", 0, 7)
        || address.regionMatches(true, 0, "https://", 0, 8);
  }

  /**
   * The address without its trailing {@code /}, ready to have a request path appended, as the
   * reverse proxy builds its forward URL.
   */
  public String baseUrl() {
    return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
  }
}
