package dev.portico.gateway.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * A Vert.x JSON document as a Jackson tree, node for node what encoding it to text and reading that
 * text back would give (numbers as the smallest integral node that holds them, instants as ISO 8601
 * text, non-finite doubles as the text Jackson writes for them), without the text: a configuration
 * with tens of thousands of entries spent about half a second of its start-up in that round trip.
 */
public final class JsonTrees {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private JsonTrees() {}

  /** {@code value} (a Vert.x JSON value) as the tree {@code readTree(Json.encode(value))} gives. */
  public static JsonNode tree(Object value) {
    if (value instanceof JsonObject o) {
      return object(o.getMap());
    }
    if (value instanceof Map<?, ?> m) {
      return object(m);
    }
    if (value instanceof JsonArray a) {
      return array(a.getList());
    }
    if (value instanceof List<?> l) {
      return array(l);
    }
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return NODES.numberNode(((Number) value).intValue());
    }
    if (value instanceof Long l) {
      return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE
          ? NODES.numberNode(l.intValue())
          : NODES.numberNode(l);
    }
    if (value instanceof BigInteger b) {
      if (b.compareTo(INT_MIN) >= 0 && b.compareTo(INT_MAX) <= 0) {
        return NODES.numberNode(b.intValue());
      }
      if (b.compareTo(LONG_MIN) >= 0 && b.compareTo(LONG_MAX) <= 0) {
        return NODES.numberNode(b.longValue());
      }
      return NODES.numberNode(b);
    }
    if (value instanceof Double d) {
      // Jackson writes NaN and the infinities as strings
      return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
    }
    if (value instanceof Instant i) {
      return NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(i));
    }
    // anything rarer (floats, decimals, bytes, enums): through the text, as before
    try {
      return MAPPER.readTree(Json.encode(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode object(Map<?, ?> map) {
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      out.set(String.valueOf(e.getKey()), tree(e.getValue()));
    }
    return out;
  }

  private static ArrayNode array(List<?> list) {
    ArrayNode out = NODES.arrayNode(list.size());
    for (Object o : list) {
      out.add(tree(o));
    }
    return out;
  }
}
