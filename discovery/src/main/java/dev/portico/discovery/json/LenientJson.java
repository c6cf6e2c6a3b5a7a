package dev.portico.discovery.json;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Reads fields of a JSON object that a schema (or a caller's own checks) has already judged,
 * without failing on a value of the wrong type: such a value reads as the fallback, and is reported
 * to the problem sink when one is given. The one tolerant accessor set of the project: the
 * gateway's configuration binder, the OpenAPI importer and the Service Fabric importer's
 * configuration use it.
 */
public final class LenientJson {

  private static final LenientJson SILENT = new LenientJson(p -> {});

  private final Consumer<String> problems;

  private LenientJson(Consumer<String> problems) {
    this.problems = problems;
  }

  /** Reads that take a wrong type for an absent field (the caller's schema reported it already). */
  public static LenientJson silent() {
    return SILENT;
  }

  /** Reads that report a wrong type as "{@code key} must be ..." to {@code problems}. */
  public static LenientJson reporting(Consumer<String> problems) {
    return new LenientJson(problems);
  }

  /** The object at {@code key}; an empty one when absent or not an object. */
  public static JsonObject object(JsonObject o, String key) {
    return SILENT.objectOf(o, key);
  }

  /** The array at {@code key}; an empty one when absent or not an array. */
  public static JsonArray array(JsonObject o, String key) {
    return SILENT.arrayOf(o, key);
  }

  /** The object at {@code index} of {@code a}; an empty one when it is not an object. */
  public static JsonObject objectAt(JsonArray a, int index) {
    return a.getValue(index) instanceof JsonObject j ? j : new JsonObject();
  }

  /** The string at {@code key}; {@code fallback} when absent or not a string. */
  public static String string(JsonObject o, String key, String fallback) {
    return SILENT.stringOf(o, key, fallback);
  }

  /**
   * The whole number at {@code key} (an integral double counts); {@code fallback} when absent or
   * not one.
   */
  public static int integer(JsonObject o, String key, int fallback) {
    return SILENT.integerOf(o, key, fallback);
  }

  /** The boolean at {@code key}; {@code fallback} when absent or not a boolean. */
  public static boolean bool(JsonObject o, String key, boolean fallback) {
    return SILENT.boolOf(o, key, fallback);
  }

  public JsonObject objectOf(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v instanceof JsonObject j) {
      return j;
    }
    wrong(v, key + " must be an object");
    return new JsonObject();
  }

  public JsonArray arrayOf(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v instanceof JsonArray a) {
      return a;
    }
    wrong(v, key + " must be an array");
    return new JsonArray();
  }

  public String stringOf(JsonObject o, String key, String fallback) {
    Object v = o.getValue(key);
    if (v instanceof String s) {
      return s;
    }
    wrong(v, key + " must be a string");
    return fallback;
  }

  public int integerOf(JsonObject o, String key, int fallback) {
    Object v = o.getValue(key);
    if (v instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= Integer.MIN_VALUE
        && n.doubleValue() <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    wrong(v, key + " must be an integer, got " + v);
    return fallback;
  }

  public boolean boolOf(JsonObject o, String key, boolean fallback) {
    Object v = o.getValue(key);
    if (v instanceof Boolean b) {
      return b;
    }
    wrong(v, key + " must be true or false");
    return fallback;
  }

  private void wrong(Object v, String problem) {
    if (v != null) {
      problems.accept(problem);
    }
  }
}
