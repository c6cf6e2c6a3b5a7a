package dev.portico.fabric.internal;

import dev.portico.fabric.FabricFormatException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Typed reads of JSON fields that fail with a {@link FabricFormatException} naming the field. Field
 * paths are relative to the object read; callers nest them with {@link #nested}.
 */
public final class JsonFields {

  private JsonFields() {}

  /** Decodes a JSON object, or fails saying the document is not one. */
  public static JsonObject parseObject(String json) {
    if (json == null) {
      throw new FabricFormatException("", "expected a JSON object, got null");
    }
    try {
      return new JsonObject(json);
    } catch (DecodeException e) {
      throw new FabricFormatException("", "expected a JSON object: " + e.getMessage(), e);
    }
  }

  /** A required string. */
  public static String string(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      throw missing(o, key);
    }
    if (!(v instanceof String)) {
      throw new FabricFormatException(key, "expected a string, got " + describe(v));
    }
    return (String) v;
  }

  /** An optional string; {@code fallback} when absent or null. */
  public static String string(JsonObject o, String key, String fallback) {
    return o.getValue(key) == null ? fallback : string(o, key);
  }

  /**
   * A required int64, written as a decimal string (Service Fabric's way, since a JSON number is a
   * double to many readers) or as an integral JSON number.
   */
  public static long int64(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      throw missing(o, key);
    }
    if (v instanceof String) {
      try {
        return Long.parseLong((String) v);
      } catch (NumberFormatException e) {
        throw new FabricFormatException(key, "\"" + v + "\" is not a 64-bit integer");
      }
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger
        || v instanceof BigDecimal
        || v instanceof Double
        || v instanceof Float) {
      throw new FabricFormatException(key, v + " is not a 64-bit integer");
    }
    throw new FabricFormatException(key, "expected a 64-bit integer, got " + describe(v));
  }

  /** An optional int32 JSON number (or decimal string). */
  public static OptionalInt optInt(JsonObject o, String key) {
    if (o.getValue(key) == null) {
      return OptionalInt.empty();
    }
    long v = int64(o, key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new FabricFormatException(key, v + " does not fit a 32-bit integer");
    }
    return OptionalInt.of((int) v);
  }

  /** A required nested object. */
  public static JsonObject object(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      throw missing(o, key);
    }
    if (!(v instanceof JsonObject)) {
      throw new FabricFormatException(key, "expected an object, got " + describe(v));
    }
    return (JsonObject) v;
  }

  /** An optional array; empty when absent or null. */
  public static JsonArray array(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray)) {
      throw new FabricFormatException(key, "expected an array, got " + describe(v));
    }
    return (JsonArray) v;
  }

  /** Parses every element of an array of objects, locating failures as {@code key[i]...}. */
  public static <T> List<T> objects(JsonObject o, String key, Function<JsonObject, T> parser) {
    JsonArray array = array(o, key);
    List<T> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String path = key + "[" + i + "]";
      Object v = array.getValue(i);
      if (!(v instanceof JsonObject)) {
        throw new FabricFormatException(path, "expected an object, got " + describe(v));
      }
      try {
        items.add(parser.apply((JsonObject) v));
      } catch (FabricFormatException e) {
        throw e.under(path);
      }
    }
    return List.copyOf(items);
  }

  /** Runs a parse of the object under {@code key}, locating its failures below {@code key}. */
  public static <T> T nested(String key, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (FabricFormatException e) {
      throw e.under(key);
    }
  }

  /**
   * Runs a conversion of field {@code key} (a name parse, an enum parse, a record constructor),
   * reporting its {@link IllegalArgumentException} as a format error of that field.
   */
  public static <T> T convert(String key, Supplier<T> conversion) {
    try {
      return conversion.get();
    } catch (FabricFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new FabricFormatException(key, e.getMessage(), e);
    }
  }

  private static FabricFormatException missing(JsonObject o, String key) {
    return new FabricFormatException(key, o.containsKey(key) ? "must not be null" : "is missing");
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "the string \"" + v + "\"";
    }
    if (v instanceof Number) {
      return "the number " + v;
    }
    if (v instanceof Boolean) {
      return "the boolean " + v;
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    return v.getClass().getSimpleName();
  }
}
