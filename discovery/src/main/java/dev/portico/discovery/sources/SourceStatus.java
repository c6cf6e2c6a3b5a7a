package dev.portico.discovery.sources;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a source last did, for the admin API, readiness and logs.
 *
 * @param id the source's id
 * @param type {@code dns-srv} or {@code kubernetes}
 * @param service the registry service it publishes
 * @param synced whether the registry has held the source's view at least once since start
 * @param lastSync when the registry last took the source's view ({@code null} before the first)
 * @param instances how many instances that view had
 * @param lastError the last failure (reading the external system or writing the registry), {@code
 *     null} after a success; the last known instances stay published meanwhile
 * @param details what the source type adds (server, TTL, resourceVersion, ...)
 */
public record SourceStatus(
    String id,
    String type,
    String service,
    boolean synced,
    Instant lastSync,
    int instances,
    String lastError,
    Map<String, Object> details) {

  public SourceStatus {
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public JsonObject toJson() {
    JsonObject out =
        new JsonObject()
            .put("id", id)
            .put("type", type)
            .put("service", service)
            .put("synced", synced)
            .put("lastSync", lastSync == null ? null : lastSync.toString())
            .put("instances", instances)
            .put("lastError", lastError);
    JsonObject d = new JsonObject();
    details.forEach(d::put);
    return out.put("details", d);
  }
}
