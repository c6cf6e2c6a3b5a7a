package dev.portico.gateway.document;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A YAML configuration document as JSON, read with SnakeYAML's safe constructor (no arbitrary
 * types) and a size limit of our choosing: SnakeYAML's default (3 MiB characters) refuses a gateway
 * with tens of thousands of configured instances. Keys become strings, dates instants, at every
 * depth. A key given twice in one mapping is refused.
 */
public final class YamlDocuments {

  private YamlDocuments() {}

  /**
   * @param maxChars the largest document accepted, in characters (code points)
   * @throws IllegalArgumentException when the text is not a YAML mapping, or is too large
   */
  public static JsonObject parse(String text, int maxChars) {
    if (text.isBlank()) {
      return new JsonObject();
    }
    LoaderOptions options = options(maxChars);
    Node root = compose(text, options);
    if (root == null || Tag.NULL.equals(root.getTag())) {
      return new JsonObject();
    }
    JsonObject fast = direct(root, options);
    if (fast != null) {
      return fast;
    }
    // anything the direct construction leaves alone (merge keys, a key written twice, explicit
    // tags, recursion, a root that is no mapping) gets SnakeYAML's own construction, and its errors
    return constructed(text, maxChars);
  }

  /** Composed as {@code Yaml.load} composes (the same reader, so the same marks in errors). */
  private static Node compose(String text, LoaderOptions options) {
    return new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options)
        .getSingleNode();
  }

  /**
   * The document built straight from its nodes, or {@code null} where that is left to SnakeYAML.
   */
  private static JsonObject direct(Node root, LoaderOptions options) {
    return root instanceof MappingNode mapping && Tag.MAP.equals(mapping.getTag())
        ? new Direct(options).document(mapping)
        : null;
  }

  /** As {@link #direct(Node, LoaderOptions)}, from the text (for tests). */
  static JsonObject direct(String text, int maxChars) {
    LoaderOptions options = options(maxChars);
    Node root = compose(text, options);
    return root == null ? null : direct(root, options);
  }

  /** The document as SnakeYAML's safe constructor builds it, then converted to JSON. */
  static JsonObject constructed(String text, int maxChars) {
    Object doc = new Yaml(new SafeConstructor(options(maxChars))).load(text);
    if (doc == null) {
      return new JsonObject();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("the document is not a mapping of fields");
    }
    return object(map);
  }

  private static LoaderOptions options(int maxChars) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(maxChars);
    // a key written twice is a mistake in a configuration; silently keeping the last would lose the
    // first
    options.setAllowDuplicateKeys(false);
    return options;
  }

  /**
   * Builds the JSON straight from SnakeYAML's node tree, for plain mappings, sequences and scalars
   * (scalars through SnakeYAML's own constructors): what {@code Yaml.load} then {@link #object}
   * give, without the constructor's bookkeeping of every node and without a second pass. It was a
   * quarter of reading a configuration with 10,000 APIs and 50,000 instances. It gives up ({@code
   * null}) on anything else, which the caller reads the usual way.
   */
  private static final class Direct extends SafeConstructor {

    /** Signals a document the direct construction leaves to SnakeYAML's. */
    private static final class GiveUp extends RuntimeException {
      GiveUp() {
        super(null, null, false, false);
      }
    }

    private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());

    Direct(LoaderOptions options) {
      super(options);
    }

    JsonObject document(MappingNode root) {
      try {
        return mapping(root);
      } catch (RuntimeException | StackOverflowError e) {
        return null;
      }
    }

    private Object node(Node node) {
      if (node instanceof ScalarNode scalar) {
        Object v = getConstructor(scalar).construct(scalar);
        return v instanceof Date d ? d.toInstant() : v;
      }
      if (node instanceof MappingNode m && Tag.MAP.equals(m.getTag())) {
        return mapping(m);
      }
      if (node instanceof SequenceNode s && Tag.SEQ.equals(s.getTag())) {
        return sequence(s);
      }
      throw new GiveUp();
    }

    private JsonObject mapping(MappingNode node) {
      if (node.isMerged() || !open.add(node)) {
        throw new GiveUp();
      }
      List<NodeTuple> tuples = node.getValue();
      Map<String, Object> out = new LinkedHashMap<>(Math.max(16, tuples.size() * 2));
      // keys compared as SnakeYAML compares them (constructed), before any value is built
      Set<Object> keys = new HashSet<>(tuples.size() * 2);
      String[] names = new String[tuples.size()];
      for (int i = 0; i < names.length; i++) {
        Node k = tuples.get(i).getKeyNode();
        if (!(k instanceof ScalarNode scalar) || Tag.MERGE.equals(k.getTag())) {
          throw new GiveUp();
        }
        Object key = getConstructor(scalar).construct(scalar);
        if (!keys.add(key)) {
          throw new GiveUp();
        }
        names[i] = String.valueOf(key);
      }
      for (int i = 0; i < names.length; i++) {
        out.put(names[i], node(tuples.get(i).getValueNode()));
      }
      open.remove(node);
      return new JsonObject(out);
    }

    private JsonArray sequence(SequenceNode node) {
      if (!open.add(node)) {
        throw new GiveUp();
      }
      List<Node> items = node.getValue();
      List<Object> out = new ArrayList<>(items.size());
      for (Node item : items) {
        out.add(node(item));
      }
      open.remove(node);
      return new JsonArray(out);
    }
  }

  private static JsonObject object(Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>(Math.max(16, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      out.put(String.valueOf(e.getKey()), value(e.getValue()));
    }
    return new JsonObject(out);
  }

  private static Object value(Object v) {
    if (v instanceof Map<?, ?> m) {
      return object(m);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(value(o));
      }
      return new JsonArray(out);
    }
    if (v instanceof Date d) {
      return d.toInstant();
    }
    return v;
  }
}
