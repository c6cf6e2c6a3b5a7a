package dev.portico.gateway.pipeline;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Header hygiene between client and backend: hop-by-hop headers (RFC 9110 7.6.1, and any header
 * named in {@code Connection}) never cross the gateway; forwarding headers describe the client's
 * hop; a request id and this gateway's {@code Via} hop marker are added.
 */
public final class ProxyHeaders {

  public static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  public static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
  public static final CharSequence X_FORWARDED_HOST =
      HttpHeaders.createOptimized("x-forwarded-host");
  public static final CharSequence X_FORWARDED_PROTO =
      HttpHeaders.createOptimized("x-forwarded-proto");
  public static final CharSequence FORWARDED = HttpHeaders.createOptimized("forwarded");
  public static final CharSequence VIA = HttpHeaders.createOptimized("via");

  /**
   * Portico's per-request cap on Service Fabric resends ({@code 0} switches them off); a request
   * header for the gateway, never forwarded.
   */
  public static final CharSequence X_PORTICO_SF_RETRIES =
      HttpHeaders.createOptimized("x-portico-sf-retries");

  private static final CharSequence[] HOP_BY_HOP = {
    HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE, HttpHeaders.PROXY_AUTHENTICATE,
    HttpHeaders.PROXY_AUTHORIZATION, HttpHeaders.createOptimized("te"),
        HttpHeaders.createOptimized("trailer"),
    HttpHeaders.TRANSFER_ENCODING, HttpHeaders.UPGRADE,
        HttpHeaders.createOptimized("proxy-connection")
  };

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ProxyHeaders() {}

  /** Removes hop-by-hop headers, including every header any {@code Connection} field line names. */
  public static void dropHopByHop(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection != null) {
      for (String line : headers.getAll(HttpHeaders.CONNECTION)) {
        dropListed(headers, line);
      }
    }
    for (CharSequence h : HOP_BY_HOP) {
      headers.remove(h);
    }
  }

  private static void dropListed(MultiMap headers, String connection) {
    int start = 0;
    int len = connection.length();
    while (start < len) {
      int comma = connection.indexOf(',', start);
      int end = comma < 0 ? len : comma;
      String token = connection.substring(start, end).trim();
      if (!token.isEmpty()) {
        headers.remove(token);
      }
      start = end + 1;
    }
  }

  /**
   * Adds {@code X-Forwarded-For} (appended), {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}
   * and an RFC 7239 {@code Forwarded} element (appended) describing the client's hop.
   */
  public static void addForwarded(MultiMap out, HttpServerRequest in) {
    Hop.of(in).addTo(out);
  }

  /**
   * The client's hop as the forwarding headers describe it: built once per connection and {@code
   * Host} (a keep-alive connection's requests share it) by a {@link Forwarding}.
   */
  private record Hop(String clientIp, String host, String proto, String forwarded) {

    static Hop of(HttpServerRequest in) {
      SocketAddress remote = in.remoteAddress();
      String clientIp = remote == null ? null : remote.hostAddress();
      String host = in.authority() == null ? null : in.authority().toString();
      String proto = in.isSSL() ? "https" : "http";
      StringBuilder fwd = new StringBuilder(64);
      if (clientIp != null) {
        fwd.append("for=");
        if (clientIp.indexOf(':') >= 0) {
          fwd.append("\"[").append(clientIp).append("]\"");
        } else {
          fwd.append(clientIp);
        }
        fwd.append(';');
      }
      if (host != null) {
        fwd.append("host=").append(quoteIfNeeded(host)).append(';');
      }
      fwd.append("proto=").append(proto);
      return new Hop(clientIp, host, proto, fwd.toString());
    }

    void addTo(MultiMap out) {
      if (clientIp != null) {
        append(out, X_FORWARDED_FOR, clientIp);
      }
      if (host != null) {
        out.set(X_FORWARDED_HOST, host);
      }
      out.set(X_FORWARDED_PROTO, proto);
      append(out, FORWARDED, forwarded);
    }
  }

  /**
   * {@link #addForwarded} for one event loop, remembering the hops it described by connection: the
   * next request on a connection with the same {@code Host} reuses its hop, so the forwarding
   * headers cost no address formatting and no string building. A connection is known by its remote
   * address object (Vert.x keeps one per connection); the memory is a small direct-mapped table
   * whose slots newer connections overwrite. Confined to its event loop.
   */
  public static final class Forwarding {
    /** Enough that a loop's few hundred keep-alive connections rarely share a slot. */
    private static final int SLOTS = 1024;

    private final SocketAddress[] remotes = new SocketAddress[SLOTS];
    private final String[] hostHeaders = new String[SLOTS];
    private final Hop[] hops = new Hop[SLOTS];

    public void addForwarded(MultiMap out, HttpServerRequest in) {
      // HTTP/2 streams of one connection may name different authorities (and carry no Host
      // header), and an absolute-form request target names its own
      String uri = in.uri();
      SocketAddress remote = in.remoteAddress();
      if (remote == null
          || in.version() == HttpVersion.HTTP_2
          || uri.isEmpty()
          || uri.charAt(0) != '/') {
        Hop.of(in).addTo(out);
        return;
      }
      String host = in.getHeader(HttpHeaders.HOST);
      int i = System.identityHashCode(remote) & (SLOTS - 1);
      Hop h = hops[i];
      if (h == null || remotes[i] != remote || !Objects.equals(host, hostHeaders[i])) {
        h = Hop.of(in);
        hops[i] = h;
        remotes[i] = remote;
        hostHeaders[i] = host;
      }
      h.addTo(out);
    }
  }

  /**
   * Appends {@code value} as the last element of the list header {@code name}: the field lines
   * received (a list may arrive on several) are joined in order into one, as RFC 9110 5.3 allows.
   */
  public static void append(MultiMap headers, CharSequence name, String value) {
    String existing = headers.get(name);
    if (existing == null) {
      headers.set(name, value);
      return;
    }
    List<String> lines = headers.getAll(name);
    StringBuilder joined = new StringBuilder(existing.length() * lines.size() + value.length() + 8);
    for (String line : lines) {
      if (!line.isBlank()) {
        joined.append(line.strip()).append(", ");
      }
    }
    headers.set(name, joined.append(value).toString());
  }

  /** A new request id: 128 random bits as 32 hex digits (fast; not a security token). */
  public static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }

  private static String quoteIfNeeded(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ':' || c == ';' || c == ',' || c == '[' || c == '"' || c == ' ') {
        return "\"" + v.replace("\"", "\\\"") + "\"";
      }
    }
    return v;
  }
}
