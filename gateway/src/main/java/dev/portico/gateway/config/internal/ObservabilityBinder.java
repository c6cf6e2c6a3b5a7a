package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;

import dev.portico.gateway.config.AccessLogConfig;
import dev.portico.gateway.config.MetricsConfig;
import dev.portico.gateway.config.TracingConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code metrics}, {@code accessLog} and {@code tracing} sections. */
final class ObservabilityBinder extends Binding {

  ObservabilityBinder(Binding parent) {
    super(parent);
  }

  MetricsConfig metrics(JsonObject m) {
    List<Double> buckets = new ArrayList<>();
    JsonArray list = array(m, "latencyBuckets");
    double previous = 0;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof Number n) || !(n.doubleValue() > 0)) {
        continue; // reported by the schema
      }
      double b = n.doubleValue();
      if (b <= previous) {
        problem(
            "metrics.latencyBuckets[" + i + "]",
            "must be greater than the bucket before it ("
                + previous
                + "): bucket bounds are strictly increasing");
      }
      previous = Math.max(previous, b);
      buckets.add(b);
    }
    if (problems.list().stream().anyMatch(p -> p.path().startsWith("metrics.latencyBuckets"))) {
      buckets.clear();
    }
    // the buckets are checked above, in order; the switches bind from the schema
    MetricsConfig flags =
        sections.bind(
            m.copy().put("latencyBuckets", new JsonArray()),
            "metrics",
            "metrics",
            MetricsConfig.class);
    if (flags.vertxHttp() && !flags.vertx()) {
      problem("metrics.vertxHttp", "adds to Vert.x's meters, which metrics.vertx turns off");
    }
    return new MetricsConfig(
        flags.enabled(), flags.jvm(), flags.vertx(), flags.vertxHttp(), buckets);
  }

  AccessLogConfig accessLog(JsonObject a) {
    AccessLogConfig bound = sections.bind(a, "accessLog", "accessLog", AccessLogConfig.class);
    String output = bound.output();
    if (bound.enabled() && !output.equals(AccessLogConfig.STDOUT)) {
      try {
        Path file = Path.of(output).toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)) {
          problem(
              "accessLog.output", "'" + output + "' is a directory; give a file path or 'stdout'");
        } else if (dir == null || !Files.isDirectory(dir)) {
          problem("accessLog.output", "the directory of '" + output + "' does not exist");
        } else if (!Files.isWritable(dir) && !Files.isWritable(file)) {
          problem("accessLog.output", "cannot write to '" + output + "' (directory not writable)");
        }
      } catch (RuntimeException e) {
        problem("accessLog.output", "'" + output + "' is not a valid file path: " + e.getMessage());
      }
    }
    return bound;
  }

  // --- tracing (issue 17) --------------------------------------------------------------------

  /**
   * The {@code tracing} fields as configured, with the schema's defaults; checked and completed by
   * {@link #tracing}.
   */
  private record TracingFields(
      boolean enabled,
      String protocol,
      String endpoint,
      double samplingRatio,
      String serviceName,
      int maxQueueSize,
      Integer maxExportBatchSize) {}

  /**
   * The {@code tracing} durations, bound last so that their problems come after the other fields',
   * as always.
   */
  private record TracingTimes(Duration scheduleDelay, Duration exportTimeout) {}

  TracingConfig tracing(JsonObject t) {
    TracingConfig d = TracingConfig.DEFAULT;
    JsonObject fields = t.copy();
    fields.remove("scheduleDelay");
    fields.remove("exportTimeout");
    TracingFields f = sections.bind(fields, "tracing", "tracing", TracingFields.class);
    TracingConfig.Protocol protocol = TracingConfig.Protocol.of(f.protocol());
    if (protocol == null) {
      protocol = d.protocol(); // reported by the schema (an enum)
    }
    // the default endpoint depends on the protocol: no schema default
    String endpoint = f.endpoint() != null ? f.endpoint() : protocol.defaultEndpoint();
    try {
      URI uri = new URI(endpoint);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        problem(
            "tracing.endpoint",
            "'" + endpoint + "' must be an http:// or https:// URL with a host");
      } else if (protocol == TracingConfig.Protocol.GRPC
          && uri.getRawPath() != null
          && uri.getRawPath().length() > 1) {
        problem(
            "tracing.endpoint",
            "a grpc endpoint is the collector's base URL (like http://collector:4317), without"
                + " a path; got '"
                + endpoint
                + "'");
      } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problem("tracing.endpoint", "'" + endpoint + "' must not carry a query or fragment");
      }
    } catch (URISyntaxException e) {
      problem("tracing.endpoint", "'" + endpoint + "' is not a URL: " + e.getReason());
    }
    // out of [0, 1]: reported by the schema
    double ratio =
        f.samplingRatio() >= 0 && f.samplingRatio() <= 1 ? f.samplingRatio() : d.samplingRatio();
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject h = object(t, "headers");
    for (String name : h.fieldNames()) {
      if (!(h.getValue(name) instanceof String value)) {
        continue; // reported by the schema
      }
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        problem("tracing.headers." + name, "is not a valid HTTP header name");
      } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
        problem("tracing.headers." + name, "a header value must not contain CR, LF or NUL");
      } else {
        headers.put(name, namedValues.substitute("tracing.headers." + name, value));
      }
    }
    String serviceName = f.serviceName();
    if (serviceName != null && serviceName.isBlank()) {
      problem("tracing.serviceName", "must not be blank (leave it out to use the gateway id)");
      serviceName = null;
    }
    int queue = f.maxQueueSize();
    // the default batch depends on the queue: no schema default
    int batch =
        f.maxExportBatchSize() != null
            ? f.maxExportBatchSize()
            : Math.min(d.maxExportBatchSize(), queue);
    if (queue < 1 || batch < 1) {
      // reported by the schema
      queue = d.maxQueueSize();
      batch = d.maxExportBatchSize();
    } else if (batch > queue) {
      problem(
          "tracing.maxExportBatchSize",
          "must be between 1 and tracing.maxQueueSize (" + queue + "), got " + batch);
      batch = Math.min(d.maxExportBatchSize(), queue);
    }
    JsonObject times = new JsonObject();
    for (String k : new String[] {"scheduleDelay", "exportTimeout"}) {
      if (t.containsKey(k)) {
        times.put(k, t.getValue(k));
      }
    }
    TracingTimes d2 = sections.bind(times, "tracing", "tracing", TracingTimes.class);
    return new TracingConfig(
        f.enabled(),
        endpoint,
        protocol,
        ratio,
        headers,
        serviceName,
        queue,
        batch,
        d2.scheduleDelay(),
        d2.exportTimeout());
  }
}
