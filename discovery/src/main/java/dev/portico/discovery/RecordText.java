package dev.portico.discovery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The stored text of a configured instance's record, written straight from its {@link
 * InstanceSpec}: character for character what {@code Registry.toRecord(spec)} with its registration
 * id, encoded through {@code Record.toJson().encode()}, gives (the fields in the order of Service
 * Discovery's converters, the same JSON escaping, since Jackson's generator writes both), without
 * building the record, its location and two JSON objects and serializing them through Jackson
 * databind. Publishing 50,000 configured instances at start-up spent most of a second there.
 */
final class RecordText {

  private static final JsonFactory JSON = new JsonFactory();

  private RecordText() {}

  /**
   * The text of {@code spec}'s record registered as {@code id}, with the status a publication gives
   * it (UNKNOWN is published as UP, as Service Discovery does).
   */
  static String encode(InstanceSpec spec, String id) {
    String root = location(spec);
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("location");
      g.writeStringField("host", spec.host());
      g.writeStringField(
          "endpoint",
          "http" + (spec.ssl() ? "s" : "") + "://" + spec.host() + ":" + spec.port() + root);
      g.writeNumberField("port", spec.port());
      g.writeStringField("root", root);
      g.writeBooleanField("ssl", spec.ssl());
      g.writeEndObject();
      g.writeObjectFieldStart("metadata");
      for (Map.Entry<String, String> e : spec.metadata().entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeStringField("name", spec.service());
      g.writeStringField("status", published(spec.status()).name());
      g.writeStringField("registration", id);
      g.writeStringField("type", HttpEndpoint.TYPE);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a writer in memory does not fail
    }
    return out.toString();
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
