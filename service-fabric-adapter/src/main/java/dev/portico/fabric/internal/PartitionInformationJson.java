package dev.portico.fabric.internal;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.int64;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKind;
import io.vertx.core.json.JsonObject;

/**
 * Reads the REST {@code PartitionInformation} object: {@code ServicePartitionKind} and {@code Id}
 * always; {@code LowKey}/{@code HighKey} (int64 as strings) for Int64Range; {@code Name} for Named.
 */
public final class PartitionInformationJson {

  private PartitionInformationJson() {}

  public static PartitionInfo parse(JsonObject o) {
    PartitionKind kind =
        convert(
            "ServicePartitionKind", () -> PartitionKind.parse(string(o, "ServicePartitionKind")));
    String id = string(o, "Id");
    convert("Id", () -> Guids.require(id, "Partition id"));
    switch (kind) {
      case SINGLETON:
        return new PartitionInfo.Singleton(id);
      case INT64_RANGE:
        long low = int64(o, "LowKey");
        long high = int64(o, "HighKey");
        return convert("HighKey", () -> new PartitionInfo.Int64Range(id, low, high));
      default:
        String name = string(o, "Name");
        return convert("Name", () -> new PartitionInfo.Named(id, name));
    }
  }
}
