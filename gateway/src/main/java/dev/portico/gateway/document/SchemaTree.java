package dev.portico.gateway.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A JSON schema read as a map of the documents it describes: which fields an object has, what each
 * field's schema says ({@code default}, {@code type}), found by field path ({@code
 * listeners.traffic.port}, {@code backends[].timeouts.connect}). {@code $ref}s (local, and to
 * sibling schemas by their {@code $id}), {@code allOf}/{@code anyOf}/{@code oneOf} and {@code
 * if}/{@code then}/{@code else} branches are followed, and a use site's own keywords are read
 * beside the definition it refers to (so a shared definition can take a default per use: {@code
 * "traffic": {"$ref": "#/$defs/listener", "properties": {"port": {"default": 8080}}}}).
 */
public final class SchemaTree {

  /** Where the schemas' {@code $id}s are found on the class path. */
  static final String ID_PREFIX = "https://portico.dev/schemas/";

  static final String CLASSPATH_DIR = "/dev/portico/gateway/config/";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_DEPTH = 24;

  /** A schema node and the document its local {@code $ref}s resolve in. */
  private record Located(JsonNode node, JsonNode document) {}

  private final JsonNode root;
  private final Map<String, JsonNode> siblings = new ConcurrentHashMap<>();

  /**
   * {@link #at}'s answers by path: the schema never changes, and binding a large configuration asks
   * for the same few paths once per entry (50,000 registry instances).
   */
  private final Map<String, Optional<Location>> locations = new ConcurrentHashMap<>();

  private SchemaTree(JsonNode root) {
    this.root = root;
  }

  /** The schema at {@code resource} (a class-path resource name). */
  public static SchemaTree of(String resource) {
    return new SchemaTree(load(resource));
  }

  /**
   * A location in the schema: every subschema that applies to the value at one field path. Its
   * fields and items are worked out once, on first use (the schema is immutable; two threads racing
   * compute equal answers).
   */
  public final class Location {
    private final List<Located> nodes;
    private volatile Map<String, Location> properties;
    private volatile Optional<Location> items;

    private Location(List<Located> nodes) {
      this.nodes = nodes;
    }

    /** The fields an object here may have, by name, in the schema's order (unmodifiable). */
    public Map<String, Location> properties() {
      Map<String, Location> p = properties;
      if (p == null) {
        p = Collections.unmodifiableMap(findProperties());
        properties = p;
      }
      return p;
    }

    private Map<String, Location> findProperties() {
      Map<String, List<Located>> found = new LinkedHashMap<>();
      for (Located l : nodes) {
        JsonNode props = l.node().get("properties");
        if (props != null && props.isObject()) {
          props
              .fields()
              .forEachRemaining(
                  e ->
                      found
                          .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                          .add(new Located(e.getValue(), l.document())));
        }
      }
      Map<String, Location> out = new LinkedHashMap<>();
      found.forEach((name, list) -> out.put(name, expand(list)));
      return out;
    }

    /** The schema of the items of an array here, or empty. */
    public Optional<Location> items() {
      Optional<Location> i = items;
      if (i == null) {
        i = findItems();
        items = i;
      }
      return i;
    }

    private Optional<Location> findItems() {
      List<Located> found = new ArrayList<>();
      for (Located l : nodes) {
        JsonNode items = l.node().get("items");
        if (items != null && items.isObject()) {
          found.add(new Located(items, l.document()));
        }
      }
      return found.isEmpty() ? Optional.empty() : Optional.of(expand(found));
    }

    /** The {@code default} given here (the use site's before the definition's), or empty. */
    public Optional<JsonNode> defaultValue() {
      return keyword("default");
    }

    /** The first value of {@code keyword} among the subschemas here (the use site first). */
    public Optional<JsonNode> keyword(String keyword) {
      for (Located l : nodes) {
        JsonNode v = l.node().get(keyword);
        if (v != null) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }

    /**
     * Whether a subschema here is, or refers to, the definition {@code name} ({@code
     * #/$defs/name}).
     */
    public boolean refersTo(String name) {
      return nodes.stream()
          .anyMatch(l -> l.node().path("$ref").asText("").endsWith("#/$defs/" + name));
    }
  }

  /** The root of the schema: the whole document. */
  public Location root() {
    return expand(List.of(new Located(root, root)));
  }

  /**
   * The location of a field path: names separated by dots, {@code []} for an array's items ({@code
   * backends[].tls}); empty when the schema has no such field.
   */
  public Optional<Location> at(String path) {
    return locations.computeIfAbsent(path, this::find);
  }

  private Optional<Location> find(String path) {
    Location here = root();
    if (path.isEmpty()) {
      return Optional.of(here);
    }
    for (String segment : path.split("\\.")) {
      boolean items = segment.endsWith("[]");
      String name = items ? segment.substring(0, segment.length() - 2) : segment;
      Location next = here.properties().get(name);
      if (next == null) {
        return Optional.empty();
      }
      if (items) {
        Optional<Location> i = next.items();
        if (i.isEmpty()) {
          return Optional.empty();
        }
        next = i.get();
      }
      here = next;
    }
    return Optional.of(here);
  }

  /**
   * Every field path the schema declares, parents before children, array items written {@code []}
   * ({@code backends}, {@code backends[].id}, ...); a field's items' own fields are listed below
   * it. {@code opaque} paths are listed but not entered (a policy list, whose entries have a
   * reference of their own).
   */
  public Map<String, Location> fieldPaths(List<String> opaque) {
    Map<String, Location> out = new LinkedHashMap<>();
    collect(root(), "", opaque, out, 0);
    return out;
  }

  private void collect(
      Location here, String prefix, List<String> opaque, Map<String, Location> out, int depth) {
    if (depth > MAX_DEPTH) {
      return;
    }
    here.properties()
        .forEach(
            (name, loc) -> {
              String path = prefix + name;
              out.putIfAbsent(path, loc);
              if (opaque.contains(path)) {
                return;
              }
              collect(loc, path + ".", opaque, out, depth + 1);
              loc.items().ifPresent(items -> collect(items, path + "[].", opaque, out, depth + 1));
            });
  }

  private Location expand(List<Located> start) {
    List<Located> out = new ArrayList<>();
    for (Located l : start) {
      expand(l, out, 0);
    }
    return new Location(out);
  }

  private void expand(Located l, List<Located> out, int depth) {
    if (depth > MAX_DEPTH || !l.node().isObject()) {
      return;
    }
    out.add(l);
    JsonNode ref = l.node().get("$ref");
    if (ref != null && ref.isTextual()) {
      Located target = resolve(ref.asText(), l.document());
      if (target != null) {
        expand(target, out, depth + 1);
      }
    }
    for (String k : List.of("allOf", "anyOf", "oneOf")) {
      JsonNode list = l.node().get(k);
      if (list != null && list.isArray()) {
        list.forEach(n -> expand(new Located(n, l.document()), out, depth + 1));
      }
    }
    for (String k : List.of("then", "else")) {
      JsonNode n = l.node().get(k);
      if (n != null) {
        expand(new Located(n, l.document()), out, depth + 1);
      }
    }
  }

  private Located resolve(String ref, JsonNode document) {
    int hash = ref.indexOf('#');
    String file = hash < 0 ? ref : ref.substring(0, hash);
    String pointer = hash < 0 ? "" : ref.substring(hash + 1);
    JsonNode doc = document;
    if (!file.isEmpty()) {
      if (!file.startsWith(ID_PREFIX)) {
        return null;
      }
      doc =
          siblings.computeIfAbsent(
              file, f -> load(CLASSPATH_DIR + f.substring(ID_PREFIX.length())));
    }
    JsonNode target = doc.at(pointer);
    return target.isMissingNode() ? null : new Located(target, doc);
  }

  private static JsonNode load(String resource) {
    try (InputStream in = SchemaTree.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + resource);
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
