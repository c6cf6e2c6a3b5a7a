package dev.portico.discovery;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An absolute {@code http(s)://host[:port][/path][?query]} URL, parsed once with the rules every
 * part of the gateway shares: scheme http or https, a host, a port in range (default 80/443), no
 * user info, IPv6 literals unbracketed in {@link #host()}, the path without trailing slashes.
 *
 * @param path raw (still percent-encoded) path, {@code ""} or starting with {@code /}, no trailing
 *     {@code /}
 * @param query raw query, or {@code null}; {@code fragment} likewise
 */
public record HttpUrl(
    boolean ssl, String host, int port, String path, String query, String fragment) {

  /**
   * @throws IllegalArgumentException with a message saying what is wrong (without the URL itself,
   *     so callers decide whether it may be shown)
   */
  public static HttpUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("no host");
    }
    if (uri.getPort() > 65535) {
      throw new IllegalArgumentException("port " + uri.getPort() + " is out of range (1-65535)");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("URL carries user info");
    }
    boolean ssl = scheme.equals("https");
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new HttpUrl(
        ssl,
        host,
        uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80,
        path,
        uri.getRawQuery(),
        uri.getRawFragment());
  }

  /** {@code host:port} as it goes into a {@code Host} header, IPv6 literals bracketed. */
  public String authority() {
    return authority(host, port);
  }

  public static String authority(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
