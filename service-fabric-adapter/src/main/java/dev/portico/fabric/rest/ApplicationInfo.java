package dev.portico.fabric.rest;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.internal.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An item of {@code GET /Applications}. {@code Name} is required; other strings are {@code ""} when
 * absent, a missing {@code Id} is derived from the name, and {@code Parameters} ({@code
 * [{"Key":..,"Value":..}]}) keep their order. Unknown fields are ignored.
 */
public record ApplicationInfo(
    String id,
    FabricName name,
    String typeName,
    String typeVersion,
    String status,
    String healthState,
    Map<String, String> parameters) {

  public ApplicationInfo {
    Objects.requireNonNull(name, "name");
    id = Objects.requireNonNullElse(id, name.toRestId());
    typeName = Objects.requireNonNullElse(typeName, "");
    typeVersion = Objects.requireNonNullElse(typeVersion, "");
    status = Objects.requireNonNullElse(status, "");
    healthState = Objects.requireNonNullElse(healthState, "");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public static ApplicationInfo fromJson(JsonObject json) {
    FabricName name = convert("Name", () -> FabricName.parse(string(json, "Name")));
    List<Map.Entry<String, String>> params =
        JsonFields.objects(
            json, "Parameters", p -> Map.entry(string(p, "Key"), string(p, "Value", "")));
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : params) {
      parameters.put(p.getKey(), p.getValue());
    }
    return new ApplicationInfo(
        string(json, "Id", null),
        name,
        string(json, "TypeName", ""),
        string(json, "TypeVersion", ""),
        string(json, "Status", ""),
        string(json, "HealthState", ""),
        parameters);
  }

  /** A page of {@code GET /Applications}. */
  public static PagedList<ApplicationInfo> page(String json) {
    return PagedList.fromJson(JsonFields.parseObject(json), ApplicationInfo::fromJson);
  }
}
