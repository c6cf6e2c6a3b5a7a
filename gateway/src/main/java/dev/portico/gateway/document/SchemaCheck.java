package dev.portico.gateway.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Structural validation of a JSON document against a JSON schema (2020-12): types, required and
 * unknown fields (with a "did you mean" for typos), enumerations, ranges, each problem named by its
 * field path. {@link #of} loads a schema from the class path: the configuration's, those of the
 * admin API's bodies. A leaf: the configuration and the admin API both use it.
 */
public final class SchemaCheck {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern QUOTED_NAME = Pattern.compile("\\['([^']*)'\\]");

  private final JsonNode schemaTree;
  private final JsonSchema schema;

  private SchemaCheck(String resource) {
    this.schemaTree = loadTree(resource);
    this.schema = load(schemaTree);
  }

  /** A check against the schema at {@code resource} (a class-path resource name). */
  public static SchemaCheck of(String resource) {
    return new SchemaCheck(resource);
  }

  /** One problem per violation of this schema, as (field path, reason), sorted by path. */
  public List<FieldProblem> problems(JsonObject document) {
    JsonNode node = JsonTrees.tree(document);
    List<FieldProblem> out = new ArrayList<>();
    for (ValidationMessage m : schema.validate(node)) {
      out.add(toProblem(m));
    }
    out.sort(Comparator.comparing(FieldProblem::path));
    return out;
  }

  private FieldProblem toProblem(ValidationMessage m) {
    // JSON path quotes names that are no identifiers (set-backend-service):
    // $.apis[0]['set-backend-service']
    String at = QUOTED_NAME.matcher(m.getInstanceLocation().toString()).replaceAll(".$1");
    String path = at.equals("$") ? "" : at.startsWith("$.") ? at.substring(2) : at.substring(1);
    String type = m.getType();
    String property = m.getProperty();
    if ("additionalProperties".equals(type) && property != null) {
      return new FieldProblem(join(path, property), "unknown field" + suggestion(m, property));
    }
    if ("required".equals(type) && property != null) {
      return new FieldProblem(join(path, property), "required field is missing");
    }
    String msg = m.getMessage();
    int colon = msg.indexOf(": ");
    String reason = colon >= 0 && msg.startsWith("$") ? msg.substring(colon + 2) : msg;
    return new FieldProblem(path, reason);
  }

  /** "did you mean 'url'?" when an allowed field name is one or two edits away. */
  private String suggestion(ValidationMessage m, String property) {
    JsonNode props = allowedProperties(m.getSchemaLocation().toString());
    if (props == null) {
      return "";
    }
    List<String> names = new ArrayList<>();
    props.fieldNames().forEachRemaining(names::add);
    String best = null;
    int bestDistance = 3;
    for (String n : names) {
      int d = Levenshtein.distance(n.toLowerCase(), property.toLowerCase());
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best != null
        ? " (did you mean '" + best + "'?)"
        : " (allowed: " + String.join(", ", names) + ")";
  }

  private JsonNode allowedProperties(String schemaLocation) {
    // schemaLocation looks like
    // "https://…/portico-config.schema.json#/$defs/backend/additionalProperties"
    int hash = schemaLocation.indexOf('#');
    if (hash < 0) {
      return null;
    }
    String pointer = schemaLocation.substring(hash + 1);
    int cut = pointer.lastIndexOf("/additionalProperties");
    if (cut < 0) {
      return null;
    }
    JsonNode at = schemaTree.at(pointer.substring(0, cut) + "/properties");
    return at.isMissingNode() ? null : at;
  }

  /**
   * The schema as a tree, for readers of its annotations (defaults, descriptions); not to be
   * modified.
   */
  public JsonNode tree() {
    return schemaTree;
  }

  /** The top-level properties of the schema (for the configuration: gateway, listeners, ...). */
  public List<String> topLevelFieldNames() {
    List<String> names = new ArrayList<>();
    schemaTree.get("properties").fieldNames().forEachRemaining(names::add);
    return List.copyOf(names);
  }

  /** Every property name declared anywhere in the schema. */
  public List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    collect(schemaTree, names);
    return List.copyOf(names);
  }

  private static void collect(JsonNode node, List<String> names) {
    JsonNode props = node.get("properties");
    if (props != null) {
      props
          .fieldNames()
          .forEachRemaining(
              n -> {
                if (!names.contains(n)) {
                  names.add(n);
                }
              });
    }
    node.elements().forEachRemaining(child -> collect(child, names));
  }

  private static String join(String path, String property) {
    return path.isEmpty() ? property : path + "." + property;
  }

  private static JsonSchema load(JsonNode tree) {
    SchemaValidatorsConfig cfg =
        SchemaValidatorsConfig.builder().pathType(PathType.JSON_PATH).build();
    // the policies' fragment is referenced by its $id: read from the class path, never fetched
    return JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            b ->
                b.schemaMappers(
                    m ->
                        m.mapPrefix(
                            "https://portico.dev/schemas/",
                            "classpath:dev/portico/gateway/config/")))
        .getSchema(tree, cfg);
  }

  private static JsonNode loadTree(String resource) {
    try (InputStream in = SchemaCheck.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + resource);
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A problem located by field path only; the loader adds the source. */
  public record FieldProblem(String path, String reason) {}
}
