package dev.portico.gateway.fabric.reverseproxy;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.resolve.FabricIndex;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A request URL of the reverse-proxy listener taken apart: {@code
 * /{App}/{Service}/{suffix}?PartitionKey=…&PartitionKind=…&ListenerName=…&TargetReplicaSelector=…&Timeout=…}.
 * The service is the longest path prefix (of at least two segments) that names a service the index
 * knows, compared case-sensitively; the proxy's own parameters (names matched without case) are
 * taken out of the query, which is otherwise forwarded exactly as received.
 *
 * @param service the service, or {@code null} when no prefix names one
 * @param suffix the path after the service's prefix ({@code ""} or starting with {@code /})
 * @param forwardedQuery the query without the proxy's parameters, {@code null} when nothing is left
 */
public record ReverseProxyRequest(
    FabricName service,
    String tried,
    String suffix,
    String forwardedQuery,
    String partitionKey,
    String partitionKind,
    String listenerName,
    String targetReplicaSelector,
    String timeout) {

  public static ReverseProxyRequest parse(String path, String query, FabricIndex index) {
    List<String> raw = new ArrayList<>();
    List<Integer> ends = new ArrayList<>();
    int pos = 0;
    while (pos < path.length() && path.charAt(pos) == '/') {
      int end = path.indexOf('/', pos + 1);
      if (end < 0) {
        end = path.length();
      }
      raw.add(path.substring(pos + 1, end));
      ends.add(end);
      pos = end;
    }
    FabricName service = null;
    String suffix = "";
    for (int k = raw.size(); k >= 2 && service == null; k--) {
      FabricName candidate = name(raw.subList(0, k));
      if (candidate != null && index.service(candidate).isPresent()) {
        service = candidate;
        suffix = path.substring(ends.get(k - 1));
      }
    }
    String tried =
        raw.size() >= 2
            ? "fabric:/" + decode(raw.get(0)) + "/" + decode(raw.get(1))
            : "fabric:" + path;
    String key = null;
    String kind = null;
    String listener = null;
    String selector = null;
    String timeout = null;
    StringBuilder rest = null;
    if (query != null && !query.isEmpty()) {
      for (String part : query.split("&", -1)) {
        int eq = part.indexOf('=');
        String name = QueryStringDecoder.decodeComponent(eq < 0 ? part : part.substring(0, eq));
        String value = eq < 0 ? "" : QueryStringDecoder.decodeComponent(part.substring(eq + 1));
        if (name.equalsIgnoreCase("PartitionKey")) {
          key = key == null ? value : key;
        } else if (name.equalsIgnoreCase("PartitionKind")) {
          kind = kind == null ? value : kind;
        } else if (name.equalsIgnoreCase("ListenerName")) {
          listener = listener == null ? value : listener;
        } else if (name.equalsIgnoreCase("TargetReplicaSelector")) {
          selector = selector == null ? value : selector;
        } else if (name.equalsIgnoreCase("Timeout")) {
          timeout = timeout == null ? value : timeout;
        } else {
          rest = rest == null ? new StringBuilder(query.length()) : rest.append('&');
          rest.append(part);
        }
      }
    }
    return new ReverseProxyRequest(
        service,
        tried,
        suffix,
        rest == null ? null : rest.toString(),
        emptyAsNull(key),
        emptyAsNull(kind),
        emptyAsNull(listener),
        emptyAsNull(selector),
        emptyAsNull(timeout));
  }

  private static FabricName name(List<String> rawSegments) {
    List<String> segments = new ArrayList<>(rawSegments.size());
    for (String s : rawSegments) {
      segments.add(decode(s));
    }
    try {
      return new FabricName(segments);
    } catch (InvalidFabricNameException e) {
      return null;
    }
  }

  private static String decode(String segment) {
    return segment.indexOf('%') < 0
        ? segment
        : QueryStringDecoder.decodeComponent(segment.replace("+", "%2B"));
  }

  private static String emptyAsNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
