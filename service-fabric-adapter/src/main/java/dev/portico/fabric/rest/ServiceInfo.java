package dev.portico.fabric.rest;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.internal.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An item of {@code GET /Applications/{appId}/$/GetServices}. {@code ServiceKind} and {@code Name}
 * are required; other strings are {@code ""} when absent, and a missing {@code Id} is derived from
 * the name. Unknown fields are ignored.
 */
public record ServiceInfo(
    ServiceKind kind,
    FabricName name,
    String typeName,
    String id,
    String manifestVersion,
    String healthState,
    String serviceStatus) {

  public ServiceInfo {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    typeName = Objects.requireNonNullElse(typeName, "");
    id = Objects.requireNonNullElse(id, name.toRestId());
    manifestVersion = Objects.requireNonNullElse(manifestVersion, "");
    healthState = Objects.requireNonNullElse(healthState, "");
    serviceStatus = Objects.requireNonNullElse(serviceStatus, "");
  }

  public static ServiceInfo fromJson(JsonObject json) {
    ServiceKind kind = convert("ServiceKind", () -> ServiceKind.parse(string(json, "ServiceKind")));
    FabricName name = convert("Name", () -> FabricName.parseService(string(json, "Name")));
    return new ServiceInfo(
        kind,
        name,
        string(json, "TypeName", ""),
        string(json, "Id", null),
        string(json, "ManifestVersion", ""),
        string(json, "HealthState", ""),
        string(json, "ServiceStatus", ""));
  }

  /** A page of {@code GetServices}. */
  public static PagedList<ServiceInfo> page(String json) {
    return PagedList.fromJson(JsonFields.parseObject(json), ServiceInfo::fromJson);
  }
}
