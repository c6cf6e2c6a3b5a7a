package dev.portico.gateway.config;

import java.util.List;
import java.util.Map;

/**
 * Credentials a backend adds to every request, with named values substituted. Values are treated as
 * secrets whatever their origin: {@link #toString()} never prints them.
 *
 * @param headers header name to values (each value adds one header line)
 * @param query query parameter name to values
 * @param authorization {@code Authorization: <scheme> <parameter>}, or {@code null}
 * @param certificate the client certificate shown when an https backend asks for one, or {@code
 *     null}
 */
public record Credentials(
    Map<String, List<String>> headers,
    Map<String, List<String>> query,
    Authorization authorization,
    TlsCertificate certificate) {

  public static final Credentials NONE = new Credentials(Map.of(), Map.of(), null, null);

  public Credentials {
    headers = Map.copyOf(headers);
    query = Map.copyOf(query);
  }

  public boolean isEmpty() {
    return headers.isEmpty() && query.isEmpty() && authorization == null && certificate == null;
  }

  public record Authorization(String scheme, String parameter) {
    @Override
    public String toString() {
      return "Authorization[scheme=" + scheme + ", parameter=***]";
    }
  }

  @Override
  public String toString() {
    return "Credentials[headers="
        + headers.keySet()
        + ", query="
        + query.keySet()
        + ", authorization="
        + (authorization == null ? "none" : authorization.scheme() + " ***")
        + ", certificate="
        + (certificate == null ? "none" : certificate.id())
        + "]";
  }
}
