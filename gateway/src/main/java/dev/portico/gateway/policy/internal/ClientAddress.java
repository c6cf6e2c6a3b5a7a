package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.PolicyRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * The client's address: the connection's peer, or with {@code trustedProxyDepth} N &gt; 0 the Nth
 * address from the right of {@code X-Forwarded-For} (all its lines, in order), the one the
 * outermost trusted proxy wrote. A chain shorter than N (a request that did not come through every
 * trusted proxy) falls back to the peer. Ports and IPv6 brackets that some proxies add are dropped.
 */
final class ClientAddress {

  private ClientAddress() {}

  public static String of(PolicyRequest request, int trustedProxyDepth) {
    if (trustedProxyDepth > 0) {
      String fromHeader = forwardedFor(request.headers("X-Forwarded-For"), trustedProxyDepth);
      if (fromHeader != null) {
        return fromHeader;
      }
    }
    SocketAddress peer = request.remoteAddress();
    if (peer == null) {
      return "";
    }
    String host = peer.hostAddress();
    return host == null ? "" : host;
  }

  /**
   * The {@code depth}th entry from the right of the joined lines, without port or brackets; null
   * when there are fewer.
   */
  static String forwardedFor(List<String> lines, int depth) {
    int remaining = depth;
    for (int l = lines.size() - 1; l >= 0; l--) {
      String line = lines.get(l);
      int end = line.length();
      while (end >= 0) {
        int comma = line.lastIndexOf(',', end - 1);
        int from = comma + 1;
        String entry = line.substring(from, end).trim();
        end = comma;
        if (entry.isEmpty()) {
          if (comma < 0) {
            break;
          }
          continue;
        }
        if (--remaining == 0) {
          return stripPort(entry);
        }
        if (comma < 0) {
          break;
        }
      }
    }
    return null;
  }

  static String stripPort(String entry) {
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      return close > 0 ? entry.substring(1, close) : entry;
    }
    int colon = entry.indexOf(':');
    if (colon > 0 && entry.indexOf(':', colon + 1) < 0) {
      return entry.substring(0, colon); // IPv4 with a port
    }
    return entry;
  }
}
