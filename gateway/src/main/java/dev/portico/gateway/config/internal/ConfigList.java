package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.objectAt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The loop every configured list of identified entries shares (named values, certificates, registry
 * sources, backends, APIs, an API's operations): each entry with its field path ({@code
 * backends[2]}), its object (an entry of the wrong type reads as {@code {}}, the schema reported
 * it), and ids unique within the list, a second use of one reported where it is given.
 */
final class ConfigList {

  /** One entry of a list. */
  record Entry(int index, String at, JsonObject json) {

    /** {@code at.field}: the path of one of this entry's fields. */
    String at(String field) {
      return at + "." + field;
    }

    /** This entry's string {@code field}, or {@code otherwise} when it has none. */
    String string(String field, String otherwise) {
      return json.getValue(field) instanceof String s ? s : otherwise;
    }
  }

  /** What is done with one entry. */
  @FunctionalInterface
  interface Body {
    void bind(Entry entry);
  }

  private final Problems problems;
  private final Function<String, String> duplicate;
  private final Set<String> ids = new LinkedHashSet<>();

  /**
   * @param what what an id names in a duplicate's problem: {@code "backend id"}, {@code "named
   *     value"}
   */
  ConfigList(Problems problems, String what) {
    this(problems, id -> "duplicate " + what + " '" + id + "'");
  }

  /**
   * @param duplicate the problem of an id given twice
   */
  ConfigList(Problems problems, Function<String, String> duplicate) {
    this.problems = problems;
    this.duplicate = duplicate;
  }

  /** Runs {@code body} on each entry of {@code list}, whose field path is {@code path}. */
  static void forEach(JsonArray list, String path, Body body) {
    for (int i = 0; i < list.size(); i++) {
      body.bind(new Entry(i, path + "[" + i + "]", objectAt(list, i)));
    }
  }

  /**
   * Takes {@code id} for an entry: true the first time; a duplicate is reported at {@code at} (by
   * default {@code "duplicate <what> '<id>'"}, then {@code detail}) and false returned.
   */
  boolean claim(String at, String id, String detail) {
    if (ids.add(id)) {
      return true;
    }
    problems.add(at, duplicate.apply(id) + detail);
    return false;
  }

  boolean claim(String at, String id) {
    return claim(at, id, "");
  }

  boolean contains(String id) {
    return ids.contains(id);
  }

  /** The ids taken so far, in the configuration's order. */
  Set<String> ids() {
    return Collections.unmodifiableSet(ids);
  }
}
