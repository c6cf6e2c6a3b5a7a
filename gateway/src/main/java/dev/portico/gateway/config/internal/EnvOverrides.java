package dev.portico.gateway.config.internal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Environment overrides of configuration fields: {@code PORTICO_LISTENERS__TRAFFIC__PORT=8081}
 * sets {@code listeners.traffic.port}. Segments are separated by {@code __}, matched to existing
 * field names case-insensitively, and numeric segments index arrays ({@code PORTICO_BACKENDS__0__URL}).
 * Values that read as JSON (numbers, booleans, objects, arrays) are taken as JSON, anything else
 * as a string. Applied in variable-name order so the outcome does not depend on the environment's
 * iteration order.
 */
public final class EnvOverrides {

  public static final String PREFIX = "PORTICO_";
  /** Variables with this prefix that are not field overrides: the config file, and the log level (read by logback.xml). */
  private static final List<String> RESERVED = List.of("PORTICO_CONFIG", "PORTICO_LOG_LEVEL");

  private EnvOverrides() {
  }

  /**
   * Applies the overrides to {@code config} in place.
   *
   * @return field path to the variable that set it, for error messages; problems for variables
   *         that cannot be applied are added to {@code problems}
   */
  public static Map<String, String> apply(JsonObject config, Map<String, String> env, List<SchemaCheck.FieldProblem> problems) {
    Map<String, String> origins = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(PREFIX) || RESERVED.contains(name) || name.length() == PREFIX.length()) {
        continue;
      }
      String[] segments = name.substring(PREFIX.length()).split("__", -1);
      try {
        String path = set(config, segments, parse(e.getValue()));
        origins.put(path, name);
      } catch (IllegalArgumentException ex) {
        problems.add(new SchemaCheck.FieldProblem("", "environment variable " + name + ": " + ex.getMessage()));
      }
    }
    return origins;
  }

  private static Object parse(String value) {
    String v = value.trim();
    if (v.startsWith("{") || v.startsWith("[") || v.equals("true") || v.equals("false")
      || v.matches("-?\\d+(\\.\\d+)?")) {
      try {
        Object decoded = Json.decodeValue(v);
        if (decoded instanceof Map<?, ?> m) {
          return new JsonObject(castMap(m));
        }
        if (decoded instanceof List<?> l) {
          return new JsonArray(new ArrayList<>(l));
        }
        return decoded;
      } catch (DecodeException ignored) {
        // not JSON after all: keep the string
      }
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static String set(JsonObject root, String[] segments, Object value) {
    Object node = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      String seg = segments[i];
      if (seg.isEmpty()) {
        throw new IllegalArgumentException("empty path segment (use '__' only between field names)");
      }
      boolean last = i == segments.length - 1;
      if (node instanceof JsonObject obj) {
        String key = matchKey(obj, seg);
        path.append(path.length() == 0 ? "" : ".").append(key);
        if (last) {
          obj.put(key, value);
        } else {
          Object next = obj.getValue(key);
          if (next == null) {
            next = isIndex(segments[i + 1]) ? new JsonArray() : new JsonObject();
            obj.put(key, next);
          }
          node = next;
        }
      } else if (node instanceof JsonArray arr) {
        if (!isIndex(seg)) {
          throw new IllegalArgumentException("'" + seg + "' is not an array index at " + path);
        }
        int idx = Integer.parseInt(seg);
        if (idx > arr.size()) {
          throw new IllegalArgumentException("index " + idx + " skips entries of " + path + " (it has " + arr.size() + ")");
        }
        path.append('[').append(idx).append(']');
        if (last) {
          if (idx == arr.size()) {
            arr.add(value);
          } else {
            arr.set(idx, value);
          }
        } else {
          if (idx == arr.size()) {
            arr.add(isIndex(segments[i + 1]) ? new JsonArray() : new JsonObject());
          }
          node = arr.getValue(idx);
        }
      } else {
        throw new IllegalArgumentException(path + " is a value, not an object");
      }
    }
    return path.toString();
  }

  private static boolean isIndex(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  /** The existing key equal to {@code seg} ignoring case and '_'/'-', else the camelCase form of seg. */
  private static String matchKey(JsonObject obj, String seg) {
    String wanted = squash(seg);
    for (String k : obj.fieldNames()) {
      if (squash(k).equals(wanted)) {
        return k;
      }
    }
    for (String k : SchemaFieldNames.ALL) {
      if (squash(k).equals(wanted)) {
        return k;
      }
    }
    return seg.toLowerCase(java.util.Locale.ROOT);
  }

  private static String squash(String s) {
    return s.replace("_", "").replace("-", "").toLowerCase(java.util.Locale.ROOT);
  }
}
