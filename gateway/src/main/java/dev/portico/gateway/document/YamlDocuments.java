package dev.portico.gateway.document;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

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
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(maxChars);
    // a key written twice is a mistake in a configuration; silently keeping the last would lose the
    // first
    options.setAllowDuplicateKeys(false);
    Object doc = new Yaml(new SafeConstructor(options)).load(text);
    if (doc == null) {
      return new JsonObject();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("the document is not a mapping of fields");
    }
    return object(map);
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
