package dev.portico.discovery;

import io.vertx.servicediscovery.types.HttpEndpoint;
import java.util.Map;

/**
 * The stored text of a configured instance's record, written straight from its {@link
 * InstanceSpec}: character for character what {@code Registry.toRecord(spec)} with its registration
 * id, encoded through {@code Record.toJson().encode()}, gives (the fields in the order of Service
 * Discovery's converters, Jackson's escaping: {@code RecordTextTest} holds the two equal, awkward
 * and generated strings included), without building the record, its location and two JSON objects
 * and serializing them through Jackson databind. Publishing 50,000 configured instances at start-up
 * spent most of a second there; through Jackson's generator still ~0.2 s, and the JIT ~0.4 s more
 * compiling it, so the text is written with a string builder.
 */
final class RecordText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RecordText() {}

  /**
   * The text of {@code spec}'s record registered as {@code id}, with the status a publication gives
   * it (UNKNOWN is published as UP, as Service Discovery does).
   */
  static String encode(InstanceSpec spec, String id) {
    String root = location(spec);
    StringBuilder out = new StringBuilder(256);
    out.append("{\"location\":{\"host\":");
    string(out, spec.host());
    out.append(",\"endpoint\":");
    string(out, "http" + (spec.ssl() ? "s" : "") + "://" + spec.host() + ":" + spec.port() + root);
    out.append(",\"port\":").append(spec.port()).append(",\"root\":");
    string(out, root);
    out.append(",\"ssl\":").append(spec.ssl()).append("},\"metadata\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : spec.metadata().entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, e.getKey());
      out.append(':');
      string(out, e.getValue());
    }
    out.append("},\"name\":");
    string(out, spec.service());
    out.append(",\"status\":");
    string(out, published(spec.status()).name());
    out.append(",\"registration\":");
    string(out, id);
    out.append(",\"type\":");
    string(out, HttpEndpoint.TYPE);
    return out.append('}').toString();
  }

  /**
   * {@code s} as Jackson's generator writes a string (to a writer, default features): quotes and
   * backslashes escaped, control characters as their short escape or as a six-character unicode
   * escape (upper-case hex), everything else as it is, non-ASCII too; {@code null} as {@code null}.
   */
  private static void string(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, from, i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
      from = i + 1;
    }
    out.append(s, from, s.length()).append('"');
  }

  /** The instance {@link #encode}'s text decodes to. */
  static ServiceInstance instance(InstanceSpec spec, String id) {
    return new ServiceInstance(
        id,
        spec.service(),
        spec.host(),
        spec.port(),
        spec.ssl(),
        spec.root(),
        published(spec.status()),
        spec.metadata());
  }

  /** The location's root as {@code HttpLocation.setRoot} keeps it. */
  private static String location(InstanceSpec spec) {
    String root = spec.root().isEmpty() ? "/" : spec.root();
    return root.startsWith("/") ? root : "/" + root;
  }

  private static InstanceStatus published(InstanceStatus status) {
    return status == InstanceStatus.UNKNOWN ? InstanceStatus.UP : status;
  }
}
