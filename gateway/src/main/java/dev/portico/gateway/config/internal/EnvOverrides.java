package dev.portico.gateway.config.internal;

import dev.portico.gateway.config.ConfigLoader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Environment overrides of configuration fields: {@code PORTICO_LISTENERS__TRAFFIC__PORT=8081} sets
 * {@code listeners.traffic.port}. Segments are separated by {@code __}, matched to existing field
 * names case-insensitively, and numeric segments index arrays ({@code PORTICO_BACKENDS__0__URL}).
 * Values that read as JSON (numbers, booleans, objects, arrays) are taken as JSON, anything else as
 * a string. Applied in variable-name order so the outcome does not depend on the environment's
 * iteration order.
 *
 * <p>The rule that tells overrides from other variables: a {@code PORTICO_} variable is an override
 * exactly when its name contains {@code __} (every top-level section is an object or a list, so an
 * override always has at least two segments). Names without {@code __} belong to the operator: the
 * {@link #RESERVED} ones Portico or its image read, and any other, typically the {@code env} of a
 * named value ({@code PORTICO_ADMIN_TOKEN}). One of those that starts like a section ({@code
 * PORTICO_LISTENERS_TRAFFIC_PORT}) and is neither reserved nor a named value's source is reported:
 * it is an override spelt with single underscores, which would otherwise be ignored without a word.
 */
final class EnvOverrides {

  static final String PREFIX = "PORTICO_";

  /** Separates the path segments of an override; a variable without it is not one. */
  static final String SEPARATOR = "__";

  /**
   * Variables with the prefix that Portico or its image read, none an override ({@link
   * ConfigLoader#RESERVED_VARIABLES}).
   */
  static final List<String> RESERVED = ConfigLoader.RESERVED_VARIABLES;

  /** A variable that could not be applied, and why. */
  record Problem(String variable, String reason) {}

  private EnvOverrides() {}

  /**
   * Applies the overrides to {@code config} in place.
   *
   * @return field path to the variable that set it, for error messages; problems for variables that
   *     cannot be applied are added to {@code problems}
   */
  static Map<String, String> apply(
      JsonObject config, Map<String, String> env, List<Problem> problems) {
    Map<String, String> origins = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(PREFIX) || RESERVED.contains(name)) {
        continue;
      }
      if (!name.contains(SEPARATOR)) {
        others.add(name);
        continue;
      }
      String[] segments = name.substring(PREFIX.length()).split(SEPARATOR, -1);
      try {
        set(config, segments, parse(e.getValue()), name, origins);
      } catch (IllegalArgumentException ex) {
        problems.add(new Problem(name, ex.getMessage()));
      }
    }
    Set<String> namedValueSources = namedValueSources(config);
    for (String name : others) {
      String section = sectionPrefix(name.substring(PREFIX.length()));
      if (section != null && !namedValueSources.contains(name)) {
        problems.add(
            new Problem(
                name,
                "not a configuration override: overrides separate the path segments with '"
                    + SEPARATOR
                    + "' ("
                    + PREFIX
                    + section.toUpperCase(Locale.ROOT)
                    + SEPARATOR
                    + "..., see --help); other "
                    + PREFIX
                    + " variables are "
                    + String.join(", ", RESERVED)
                    + " or the env of a named value"));
      }
    }
    return origins;
  }

  /**
   * The top-level section {@code rest} starts with, followed by '_' (a single-underscore path), or
   * null.
   */
  private static String sectionPrefix(String rest) {
    String squashed = rest.toLowerCase(Locale.ROOT);
    for (String section : SchemaFieldNames.TOP_LEVEL) {
      String s = section.toLowerCase(Locale.ROOT);
      if (squashed.startsWith(s + "_")) {
        return section;
      }
    }
    return null;
  }

  private static Set<String> namedValueSources(JsonObject config) {
    Set<String> sources = new HashSet<>();
    if (config.getValue("namedValues") instanceof JsonArray values) {
      for (Object v : values) {
        if (v instanceof JsonObject nv && nv.getValue("env") instanceof String name) {
          sources.add(name);
        }
      }
    }
    return sources;
  }

  private static Object parse(String value) {
    String v = value.trim();
    if (v.startsWith("{")
        || v.startsWith("[")
        || v.equals("true")
        || v.equals("false")
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

  /**
   * Sets the value; {@code origins} learns the path of the value and of every field or entry the
   * variable created on the way (a misspelt segment creates one: its problem is the variable's).
   */
  private static void set(
      JsonObject root,
      String[] segments,
      Object value,
      String variable,
      Map<String, String> origins) {
    Object node = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      String seg = segments[i];
      if (seg.isEmpty()) {
        throw new IllegalArgumentException(
            "empty path segment (use '__' only between field names)");
      }
      boolean last = i == segments.length - 1;
      if (node instanceof JsonObject obj) {
        String key = matchKey(obj, seg);
        path.append(path.length() == 0 ? "" : ".").append(key);
        if (last) {
          obj.put(key, value);
          origins.put(path.toString(), variable);
        } else {
          Object next = obj.getValue(key);
          if (next == null) {
            next = isIndex(segments[i + 1]) ? new JsonArray() : new JsonObject();
            obj.put(key, next);
            origins.putIfAbsent(path.toString(), variable);
          }
          node = next;
        }
      } else if (node instanceof JsonArray arr) {
        if (!isIndex(seg)) {
          throw new IllegalArgumentException("'" + seg + "' is not an array index at " + path);
        }
        int idx = Integer.parseInt(seg);
        if (idx > arr.size()) {
          throw new IllegalArgumentException(
              "index " + idx + " skips entries of " + path + " (it has " + arr.size() + ")");
        }
        path.append('[').append(idx).append(']');
        if (last) {
          if (idx == arr.size()) {
            arr.add(value);
          } else {
            arr.set(idx, value);
          }
          origins.put(path.toString(), variable);
        } else {
          if (idx == arr.size()) {
            arr.add(isIndex(segments[i + 1]) ? new JsonArray() : new JsonObject());
            origins.putIfAbsent(path.toString(), variable);
          }
          node = arr.getValue(idx);
        }
      } else {
        throw new IllegalArgumentException(path + " is a value, not an object");
      }
    }
  }

  private static boolean isIndex(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  /**
   * The existing key equal to {@code seg} ignoring case and '_'/'-', else the camelCase form of
   * seg.
   */
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
