package dev.portico.gateway.config.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.portico.discovery.json.IsoDurations;
import dev.portico.gateway.document.JsonTrees;
import dev.portico.gateway.document.SchemaTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Binds one section of the configuration onto its record with Jackson, from the schema-checked
 * tree:
 *
 * <ol>
 *   <li>a field whose value is not of the schema's type, or not in its enumeration, is dropped (the
 *       schema reported it; the field binds with its default, so that one run still reports what
 *       else is wrong);
 *   <li>a duration ({@code $ref: #/$defs/duration}) is checked as the schema cannot: ISO 8601,
 *       positive (zero too where the schema's default is zero), else reported and dropped;
 *   <li>absent fields take the schema's {@code default};
 *   <li>Jackson binds the result onto the record, by component name.
 * </ol>
 *
 * Only objects present are filled: whether an optional block is there at all (a listener's {@code
 * https}) stays the configuration's choice.
 */
final class SectionReader {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          // the schema's enumerations are camel case (reject, none, leastRequests), the records'
          // enums upper case
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .addModule(
              new SimpleModule("portico-config").addDeserializer(Duration.class, new IsoDuration()))
          .build();

  private final SchemaTree schema;

  /**
   * The binding's problems, where this reader reports a section's (a duration, a number beyond int)
   * and counts them: a binding that reported one is not reused ({@link #once}). A reader serves one
   * binding, on one thread.
   */
  private final Problems problems;

  SectionReader(SchemaTree schema, Problems problems) {
    this.schema = schema;
    this.problems = problems;
  }

  /**
   * @param section the object as configured ({@code {}} when absent)
   * @param at its field path with indices ({@code backends[2].timeouts}), for problems
   * @param schemaPath its path in the schema, items as {@code []} ({@code backends[].timeouts})
   */
  <T> T bind(JsonObject section, String at, String schemaPath, Class<T> type) {
    if (!Immutable.of(type)) {
      return bindPrepared(section, at, schemaPath, type);
    }
    // equal sections under the same schema path bind to equal values, and an immutable one can be
    // shared: one binding serves every entry that repeats it (10,000 backends without tls or
    // timeouts, 10,000 APIs with the same retry policy)
    return once(schemaPath, type, section, () -> bindPrepared(section, at, schemaPath, type));
  }

  /**
   * What {@code bind} gives for {@code section}, bound once per distinct content under {@code
   * schemaPath} and then shared: the value must be immutable, and binding must depend on the
   * section alone (its field path only names problems). A binding that reported a problem to the
   * binding's problems is not kept: an equal section elsewhere binds, and reports it, at its own
   * path.
   */
  <T> T once(String schemaPath, Class<T> type, JsonObject section, Supplier<T> bind) {
    Object known = bound.get(new Section(schemaPath, type, section));
    if (known != null) {
      return type.cast(known);
    }
    int before = problems.list().size();
    T value = bind.get();
    if (problems.list().size() == before) {
      // a copy: the caller's section may change after this
      bound.put(new Section(schemaPath, type, section.copy()), value);
    }
    return value;
  }

  /** Sections bound without a problem (per reader). */
  private final Map<Section, Object> bound = new HashMap<>();

  /**
   * A section's identity for reuse: where it is in the schema, its record type and its content as
   * Vert.x compares JSON (numbers by value: 2 and 2.0 are one section, and bind alike: a whole
   * decimal fits the records' int fields, beyond int a value is dropped either way).
   */
  private record Section(String schemaPath, Class<?> type, JsonObject content) {

    // written out: a record's generated equals and hashCode link through method handles on first
    // use, which at start-up spins classes and runs interpreted for tens of thousands of lookups
    @Override
    public boolean equals(Object o) {
      return o instanceof Section s
          && schemaPath.equals(s.schemaPath)
          && type == s.type
          && content.equals(s.content);
    }

    @Override
    public int hashCode() {
      return (schemaPath.hashCode() * 31 + type.hashCode()) * 31 + content.hashCode();
    }
  }

  private <T> T bindPrepared(JsonObject section, String at, String schemaPath, Class<T> type) {
    JsonObject prepared = prepare(section, at, schemaPath);
    try {
      return read(prepared, type);
    } catch (JsonProcessingException e) {
      // a value of the right type the record cannot hold (a number beyond its range): the schema's
      // bounds reported it, the section binds with its defaults
      try {
        return read(prepare(new JsonObject(), at, schemaPath), type);
      } catch (JsonProcessingException again) {
        throw new IllegalStateException(
            "the schema's defaults of "
                + schemaPath
                + " do not bind onto "
                + type.getSimpleName()
                + ": "
                + again.getOriginalMessage(),
            again);
      }
    }
  }

  /**
   * Jackson's binding of {@code prepared} as of its encoded text, read from the equal tree instead
   * of the text (tens of thousands of sections at scale: the encoding and parsing cost ~1 s).
   */
  private static <T> T read(JsonObject prepared, Class<T> type) throws JsonProcessingException {
    try (JsonParser tokens = MAPPER.treeAsTokens(JsonTrees.tree(prepared))) {
      return MAPPER.readValue(tokens, type);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #bind(JsonObject, String, String, Class)} where the schema path is {@code at}'s. */
  <T> T bind(JsonObject section, String at, Class<T> type) {
    return bind(section, at, schemaPath(at), type);
  }

  /**
   * {@link #bindFields(JsonObject, String, String, Class)} where the schema path is {@code at}'s.
   */
  <T extends Record> T bindFields(JsonObject section, String at, Class<T> type) {
    return bindFields(section, at, schemaPath(at), type);
  }

  /**
   * A field path's path in the schema: {@code backends[2].timeouts} is {@code backends[].timeouts}.
   */
  static String schemaPath(String at) {
    int open = at.indexOf('[');
    if (open < 0) {
      return at;
    }
    // by hand, not with a regular expression: called for each of tens of thousands of entries
    StringBuilder out = new StringBuilder(at.length());
    int from = 0;
    while (open >= 0) {
      int end = open + 1;
      while (end < at.length() && at.charAt(end) >= '0' && at.charAt(end) <= '9') {
        end++;
      }
      if (end > open + 1 && end < at.length() && at.charAt(end) == ']') {
        out.append(at, from, open + 1).append(']');
        from = end + 1;
      } else {
        out.append(at, from, open + 1);
        from = open + 1;
      }
      open = at.indexOf('[', from);
    }
    return out.append(at, from, at.length()).toString();
  }

  /**
   * Binds the fields of {@code section} that {@code type} (a record) names, and only those: a
   * section's nested blocks with their own rules (a breaker, a listener's https) bind on their own,
   * in their turn, so that problems keep the order in which the sections are read.
   */
  <T extends Record> T bindFields(JsonObject section, String at, String schemaPath, Class<T> type) {
    JsonObject fields = new JsonObject();
    for (String name : COMPONENTS.get(type)) {
      if (section.containsKey(name)) {
        fields.put(name, section.getValue(name));
      }
    }
    return bind(fields, at, schemaPath, type);
  }

  /**
   * A record's component names, looked up once per type ({@code Class.getRecordComponents} builds
   * its reflective objects anew each call: tens of thousands of entries at scale).
   */
  private static final ClassValue<String[]> COMPONENTS =
      new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
          RecordComponent[] components = type.getRecordComponents();
          String[] names = new String[components.length];
          for (int i = 0; i < components.length; i++) {
            names[i] = components[i].getName();
          }
          return names;
        }
      };

  /** A copy of {@code section} with wrong fields dropped and the schema's defaults filled in. */
  JsonObject prepare(JsonObject section, String at, String schemaPath) {
    SchemaTree.Location location =
        schema
            .at(schemaPath)
            .orElseThrow(
                () -> new IllegalArgumentException("no such field in the schema: " + schemaPath));
    JsonObject copy = section.copy();
    fill(copy, at, location);
    return copy;
  }

  private void fill(JsonObject object, String at, SchemaTree.Location location) {
    for (Map.Entry<String, SchemaTree.Location> field : location.properties().entrySet()) {
      String name = field.getKey();
      SchemaTree.Location loc = field.getValue();
      String path = at.isEmpty() ? name : at + "." + name;
      Object value = object.getValue(name);
      if (value instanceof String text && loc.refersTo("duration")) {
        if (!validDuration(path, text, loc)) {
          object.remove(name);
          value = null;
        }
      } else if (value != null && (!fitsType(value, loc) || !inEnumeration(value, loc))) {
        object.remove(name);
        value = null;
      } else if (value instanceof Number n && beyondInt(n, loc)) {
        // the records hold whole numbers as int: say so where the schema sets no bound of its own
        boolean high = n.doubleValue() > 0;
        if (loc.keyword(high ? "maximum" : "minimum").isEmpty()) {
          problems.add(
              path,
              high
                  ? "must be at most " + Integer.MAX_VALUE + ", got " + n
                  : "must be at least " + Integer.MIN_VALUE + ", got " + n);
        }
        object.remove(name);
        value = null;
      }
      if (value == null) {
        loc.defaultValue().ifPresent(d -> object.put(name, plain(d)));
      } else if (value instanceof JsonObject nested) {
        fill(nested, path, loc);
      }
    }
  }

  /**
   * Whether {@code value}'s JSON type is one the schema's {@code type} allows here (no type: any).
   */
  private static boolean fitsType(Object value, SchemaTree.Location loc) {
    JsonNode type = loc.keyword("type").orElse(null);
    if (type == null) {
      return true;
    }
    String actual =
        value instanceof Boolean
            ? "boolean"
            : value instanceof Number n
                ? (n.doubleValue() == Math.rint(n.doubleValue()) ? "integer" : "number")
                : value instanceof String
                    ? "string"
                    : value instanceof JsonObject
                        ? "object"
                        : value instanceof JsonArray ? "array" : "null";
    for (JsonNode t : type.isArray() ? type : MAPPER.createArrayNode().add(type)) {
      if (t.asText().equals(actual) || t.asText().equals("number") && actual.equals("integer")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code value} is one of the schema's {@code enum} here (no enum: any): a value outside
   * it binds as the default, so that one wrong field does not take its section's others with it.
   */
  private static boolean inEnumeration(Object value, SchemaTree.Location loc) {
    JsonNode allowed = loc.keyword("enum").orElse(null);
    if (allowed == null || value instanceof JsonObject || value instanceof JsonArray) {
      return true;
    }
    for (JsonNode a : allowed) {
      if (a.isValueNode() && a.asText().equals(String.valueOf(value))) {
        return true;
      }
    }
    return false;
  }

  private static boolean beyondInt(Number n, SchemaTree.Location loc) {
    return loc.keyword("type").map(t -> t.asText().equals("integer")).orElse(false)
        && (n.doubleValue() > Integer.MAX_VALUE || n.doubleValue() < Integer.MIN_VALUE);
  }

  private boolean validDuration(String at, String text, SchemaTree.Location loc) {
    Duration d;
    try {
      d = IsoDurations.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(at, e.getMessage());
      return false;
    }
    boolean zeroAllowed =
        loc.defaultValue().map(v -> v.isTextual() && isZero(v.asText())).orElse(false);
    if (d.isNegative() || d.isZero() && !zeroAllowed) {
      problems.add(at, "must be a positive duration, got '" + text + "'");
      return false;
    }
    return true;
  }

  private static boolean isZero(String text) {
    try {
      return IsoDurations.parse(text).isZero();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The schema's defaults as Vert.x JSON values, converted once each: a large configuration fills
   * the same few defaults into every entry. Objects and arrays are handed out as copies (the filled
   * section is the caller's to change).
   */
  private static final Map<JsonNode, Object> PLAIN = new ConcurrentHashMap<>();

  private static Object plain(JsonNode node) {
    Object value = node.isNull() ? null : PLAIN.computeIfAbsent(node, SectionReader::decode);
    if (value instanceof JsonObject o) {
      return o.copy();
    }
    return value instanceof JsonArray a ? a.copy() : value;
  }

  private static Object decode(JsonNode node) {
    try {
      return io.vertx.core.json.Json.decodeValue(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a bound value of a type can be shared: a record of primitives, strings, durations,
   * enums and such records (a list or map component could be changed by whoever holds it).
   */
  static final class Immutable {
    private static final Map<Class<?>, Boolean> KNOWN = new ConcurrentHashMap<>();

    private Immutable() {}

    static boolean of(Class<?> type) {
      Boolean known = KNOWN.get(type);
      if (known == null) {
        known = check(type, 0);
        KNOWN.put(type, known);
      }
      return known;
    }

    private static boolean check(Class<?> type, int depth) {
      if (type.isPrimitive()
          || type.isEnum()
          || type == String.class
          || type == Duration.class
          || type == Boolean.class
          || type == Integer.class
          || type == Long.class
          || type == Double.class) {
        return true;
      }
      if (!type.isRecord() || depth > 8) {
        return false;
      }
      for (RecordComponent c : type.getRecordComponents()) {
        if (!check(c.getType(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
  }

  /** An ISO 8601 duration, already checked by {@link #fill}. */
  private static final class IsoDuration extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return IsoDurations.parse(p.getValueAsString());
      } catch (IllegalArgumentException e) {
        return (Duration)
            ctxt.handleWeirdStringValue(Duration.class, p.getValueAsString(), e.getMessage());
      }
    }
  }
}
