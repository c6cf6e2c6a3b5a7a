package dev.portico.gateway.document;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
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
    JsonObject fast = direct(text, maxChars);
    if (fast != null) {
      return fast;
    }
    // anything the direct construction leaves alone (merge keys, a key written twice, tags on
    // collections, recursion, a root that is no mapping) gets SnakeYAML's own construction, and its
    // errors
    return constructed(text, maxChars);
  }

  /**
   * The document built straight from the parser's events, or {@code null} where that is left to
   * SnakeYAML. The text's syntax errors (and the size limit) are the parser's, thrown as they are.
   */
  static JsonObject direct(String text, int maxChars) {
    LoaderOptions options = options(maxChars);
    return new Direct(new ParserImpl(new StreamReader(text), options), options).document();
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
   * Builds the JSON straight from SnakeYAML's parser events, for plain mappings, sequences, scalars
   * and aliases (scalars resolved and constructed as SnakeYAML's composer and safe constructor do
   * it; an alias of a mapping or sequence is a copy, as SnakeYAML's construction gives each use its
   * own): what {@code Yaml.load} then {@link #object} give, without the composer's tree of nodes,
   * the constructor's bookkeeping of every node and a second pass (a fresh JVM read the 3.8 MB file
   * of 10,000 APIs and 50,000 instances in 1.46 s, against 1.95 s through the node tree; 1.19 s
   * since plain strings skip the resolver's rules, {@link PlainStrings}; with the at-scale JVM
   * flags 0.64 s against 0.75 s since strings and small integers skip the node and the constructor,
   * {@link #value}). It gives up ({@code null}) on anything else, which the caller reads the usual
   * way (two keys of one text in a mapping included: a duplicate, or {@code 1} and {@code '1'}),
   * and wherever SnakeYAML's composer would raise an error of its own (an undefined or recursive
   * alias, nesting or aliases beyond the loader's limits, a second document).
   */
  private static final class Direct extends SafeConstructor {

    /** Signals a document the direct construction leaves to SnakeYAML's. */
    private static final class GiveUp extends RuntimeException {
      GiveUp() {
        super(null, null, false, false);
      }
    }

    private static final GiveUp GIVE_UP = new GiveUp();

    private final Parser parser;
    private final Resolver resolver = new PlainStrings();
    private final LoaderOptions options;

    /** Anchored values, complete. */
    private final Map<String, Object> anchors = new HashMap<>();

    /** Anchored collections still being read: an alias of one is recursion. */
    private final Set<String> open = new HashSet<>();

    private int collectionAliases;

    Direct(Parser parser, LoaderOptions options) {
      super(options);
      this.parser = parser;
      this.options = options;
    }

    JsonObject document() {
      try {
        parser.getEvent(); // stream start
        if (parser.checkEvent(Event.ID.StreamEnd)) {
          return new JsonObject();
        }
        parser.getEvent(); // document start
        boolean scalar = parser.checkEvent(Event.ID.Scalar);
        Object root = node(0);
        parser.getEvent(); // document end
        if (!parser.checkEvent(Event.ID.StreamEnd)) {
          return null;
        }
        if (root instanceof JsonObject object) {
          return object;
        }
        return scalar && root == null ? new JsonObject() : null;
      } catch (GiveUp e) {
        return null;
      }
    }

    private Object node(int depth) {
      if (depth >= options.getNestingDepthLimit()) {
        throw GIVE_UP;
      }
      Event event = parser.getEvent();
      if (event instanceof AliasEvent alias) {
        return alias(alias.getAnchor());
      }
      String anchor = ((NodeEvent) event).getAnchor();
      if (anchor != null && (anchors.containsKey(anchor) || open.contains(anchor))) {
        throw GIVE_UP; // an anchor given twice: SnakeYAML's rules
      }
      Object value;
      if (event instanceof ScalarEvent scalar) {
        value = scalar(scalar);
      } else {
        if (anchor != null) {
          open.add(anchor);
        }
        if (event instanceof MappingStartEvent m && is(m, Tag.MAP)) {
          value = mapping(depth);
        } else if (event instanceof SequenceStartEvent q && is(q, Tag.SEQ)) {
          value = sequence(depth);
        } else {
          throw GIVE_UP;
        }
        if (anchor != null) {
          open.remove(anchor);
        }
      }
      if (anchor != null) {
        anchors.put(anchor, value);
      }
      return value;
    }

    /** Whether the collection is a plain one: no tag, the non-specific one, or its own type's. */
    private static boolean is(CollectionStartEvent start, Tag type) {
      String tag = start.getTag();
      return tag == null || tag.equals("!") || tag.equals(type.getValue());
    }

    private Object alias(String anchor) {
      if (!anchors.containsKey(anchor)) {
        throw GIVE_UP; // undefined, or an enclosing collection (recursion)
      }
      Object value = anchors.get(anchor);
      if (value instanceof JsonObject || value instanceof JsonArray) {
        if (++collectionAliases > options.getMaxAliasesForCollections()) {
          throw GIVE_UP;
        }
        return value instanceof JsonObject o ? o.copy() : ((JsonArray) value).copy();
      }
      return value;
    }

    private JsonObject mapping(int depth) {
      Map<String, Object> out = new LinkedHashMap<>();
      while (!parser.checkEvent(Event.ID.MappingEnd)) {
        if (!(parser.getEvent() instanceof ScalarEvent k) || k.getAnchor() != null) {
          throw GIVE_UP;
        }
        Tag tag = tag(k);
        if (Tag.MERGE.equals(tag)) {
          throw GIVE_UP;
        }
        // as SnakeYAML's map has it (a date key reads as the Date's text, not the instant's)
        String key = String.valueOf(value(k, tag));
        if (out.containsKey(key)) {
          // keys equal as SnakeYAML compares them (constructed) have equal texts: a duplicate, or
          // two keys of one text (1 and '1'); SnakeYAML decides either
          throw GIVE_UP;
        }
        out.put(key, node(depth + 1));
      }
      parser.getEvent();
      return new JsonObject(out);
    }

    private JsonArray sequence(int depth) {
      List<Object> out = new ArrayList<>();
      while (!parser.checkEvent(Event.ID.SequenceEnd)) {
        out.add(node(depth + 1));
      }
      parser.getEvent();
      return new JsonArray(out);
    }

    private Object scalar(ScalarEvent event) {
      Object v = value(event, tag(event));
      return v instanceof Date d ? d.toInstant() : v;
    }

    /** The tag SnakeYAML's composer gives the event's node. */
    private Tag tag(ScalarEvent event) {
      String tag = event.getTag();
      if (implicit(event)) {
        return resolver.resolve(
            NodeId.scalar, event.getValue(), event.getImplicit().canOmitTagInPlainScalar());
      }
      if (tag.startsWith(Tag.PREFIX)) {
        return new Tag(tag);
      }
      throw GIVE_UP; // local and custom global tags: SnakeYAML's rules and errors
    }

    /** Whether the event's tag is left to the resolver (none, or the non-specific {@code !}). */
    private static boolean implicit(ScalarEvent event) {
      String tag = event.getTag();
      return tag == null || tag.equals("!");
    }

    /**
     * The value SnakeYAML's safe constructor makes of the event's node: most of a configuration's
     * scalars are strings (their text, as SnakeYAML's {@code str} constructor, {@code
     * ConstructYamlStr}, gives it) and small decimal integers ({@code ConstructYamlInt}'s {@code
     * Integer.valueOf}), which skip the node and the constructor (a file of 50,000 instances holds
     * a few hundred thousand scalars). This class registers no constructor of its own, so those two
     * are SafeConstructor's.
     */
    private Object value(ScalarEvent event, Tag tag) {
      String text = event.getValue();
      if (tag == Tag.STR) {
        return text;
      }
      if (tag == Tag.INT && isSmallDecimal(text)) {
        return Integer.valueOf(text);
      }
      return build(
          new ScalarNode(
              tag,
              implicit(event),
              text,
              event.getStartMark(),
              event.getEndMark(),
              event.getScalarStyle()));
    }

    /** The value SnakeYAML's safe constructor makes of the node. */
    private Object build(ScalarNode node) {
      try {
        return getConstructor(node).construct(node);
      } catch (RuntimeException e) {
        throw GIVE_UP;
      }
    }
  }

  /**
   * Whether {@code text} is a decimal integer that SnakeYAML's {@code int} constructor reads as an
   * {@code Integer} by {@link Integer#valueOf(String)}: an optional sign, then {@code 0} alone or
   * up to 9 digits without a leading zero (a leading zero is octal, an underscore or a colon other
   * forms; all of those, and longer numbers, are left to the constructor).
   */
  static boolean isSmallDecimal(String text) {
    int start = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
    int digits = text.length() - start;
    if (digits < 1 || digits > 9 || (digits > 1 && text.charAt(start) == '0')) {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * SnakeYAML's resolver, answering {@code str} at once for a plain scalar that none of its
   * implicit rules can match: each rule is keyed by the first characters it can match, except the
   * empty scalar's ({@code ^$}), which SnakeYAML otherwise runs against every plain scalar.
   */
  private static final class PlainStrings extends Resolver {

    /**
     * Whether a rule without first characters other than the empty scalar's was added (set while
     * SnakeYAML's constructor adds its rules, hence no initializer).
     */
    private boolean otherUnkeyed;

    @Override
    public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
      if (first == null && regexp != EMPTY) {
        otherUnkeyed = true;
      }
      super.addImplicitResolver(tag, regexp, first, limit);
    }

    @Override
    public Tag resolve(NodeId kind, String value, boolean implicit) {
      if (kind == NodeId.scalar
          && implicit
          && !otherUnkeyed
          && !value.isEmpty()
          && !yamlImplicitResolvers.containsKey(value.charAt(0))) {
        return Tag.STR;
      }
      return super.resolve(kind, value, implicit);
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
