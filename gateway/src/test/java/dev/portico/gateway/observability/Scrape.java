package dev.portico.gateway.observability;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition, as a test reads it: series (name plus labels) and their
 * values.
 */
record Scrape(String text, List<String> series) {

  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static Scrape of(String text) {
    return new Scrape(text, text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
  }

  /** GETs {@code /metrics} of the management listener on {@code port}. */
  static Scrape get(Vertx vertx, int port) {
    HttpResponse<Buffer> res =
        WebClient.create(vertx).get(port, "127.0.0.1", "/metrics").send().await();
    if (res.statusCode() != 200) {
      throw new AssertionError("/metrics answered " + res.statusCode() + ": " + res.bodyAsString());
    }
    return of(res.bodyAsString());
  }

  /** Series of metric {@code name} (exactly) whose labels include all of {@code labels}. */
  List<String> find(String name, Map<String, String> labels) {
    return series.stream()
        .filter(l -> metric(l).equals(name) && labels(l).entrySet().containsAll(labels.entrySet()))
        .toList();
  }

  /**
   * The value of the single series of {@code name} with {@code labels}, or NaN if there is none.
   */
  double value(String name, Map<String, String> labels) {
    List<String> found = find(name, labels);
    if (found.size() > 1) {
      throw new AssertionError("several series of " + name + " " + labels + ": " + found);
    }
    return found.isEmpty() ? Double.NaN : value(found.get(0));
  }

  /** Sum over every series of {@code name} with {@code labels}. */
  double sum(String name, Map<String, String> labels) {
    return find(name, labels).stream().mapToDouble(Scrape::value).sum();
  }

  static String metric(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    return line.substring(0, brace >= 0 && brace < space ? brace : space);
  }

  static Map<String, String> labels(String line) {
    Map<String, String> out = new TreeMap<>();
    int open = line.indexOf('{');
    int close = line.lastIndexOf('}');
    if (open < 0 || close < open) {
      return out;
    }
    Matcher m = LABEL.matcher(line.substring(open + 1, close));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  static double value(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    String rest =
        brace >= 0 && brace < space
            ? line.substring(line.lastIndexOf('}') + 1)
            : line.substring(space);
    return Double.parseDouble(rest.trim().split(" ")[0]);
  }

  static Map<String, String> l(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
