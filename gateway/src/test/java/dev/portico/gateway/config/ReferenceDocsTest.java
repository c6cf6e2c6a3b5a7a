package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portico.gateway.document.SchemaTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's reference tables against the configuration's JSON schema, where the
 * defaults live: every field the schema declares is documented, every documented field exists, and
 * a documented default is the schema's {@code default} (a default given as one plain literal must
 * be in the schema; one the schema gives must head the table cell).
 */
class ReferenceDocsTest {

  private static final Path DOC = Path.of("../docs/configuration.md");
  private static final SchemaTree SCHEMA =
      SchemaTree.of("/dev/portico/gateway/config/portico-config.schema.json");

  /**
   * Policy lists: their entries are documented in docs/policies.md, checked by PolicySchemaTest.
   */
  private static final List<String> OPAQUE =
      List.of("policies", "apis[].policies", "apis[].operations[].policies");

  private static final Pattern HEADING = Pattern.compile("^(#+) (.*)$");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z0-9_.\\[\\]-]+");

  /**
   * A default cell that is nothing but one literal value, such as {@code `PT5S`} or {@code `true`}.
   */
  private static final Pattern PLAIN_LITERAL = Pattern.compile("^`([^`<$ ]+)`$");

  private record Row(String path, String defaultCell, int line) {}

  private static final List<Row> ROWS = new ArrayList<>();

  /**
   * Paths a heading or a table header names (a section documented by its prose, such as {@code
   * policies}).
   */
  private static final List<String> NAMED = new ArrayList<>();

  private static Map<String, SchemaTree.Location> fields;

  @BeforeAll
  static void read() throws IOException {
    fields = SCHEMA.fieldPaths(OPAQUE);
    List<String> lines = Files.readAllLines(DOC);
    String sectionPrefix = null;
    String prefix = null;
    boolean inTable = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        List<String> named =
            code(h.group(2)).stream().filter(n -> FIELD_PATH.matcher(n).matches()).toList();
        String p = named.isEmpty() ? null : prefixOf(named.get(0));
        named.forEach(n -> NAMED.add(stripItems(n)));
        if (h.group(1).length() <= 2) {
          sectionPrefix = p;
          prefix = p;
        } else {
          // a subsection without a field of its own documents more of its section's fields
          prefix = p != null ? p : sectionPrefix;
        }
        inTable = false;
        continue;
      }
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      List<String> cells = cells(line);
      if (cells.size() >= 3 && cells.get(1).equals("default")) {
        // the header: "| field | default | meaning |", or "| `policySettings` field | ..."
        List<String> named = code(cells.get(0));
        inTable = prefix != null || !named.isEmpty();
        if (!named.isEmpty()) {
          prefix = named.get(0) + ".";
          NAMED.add(named.get(0));
        }
        continue;
      }
      if (!inTable || cells.size() < 3 || cells.get(0).startsWith("---")) {
        continue;
      }
      String previous = null;
      for (String token : code(cells.get(0))) {
        String path = resolve(prefix, token, previous);
        ROWS.add(new Row(path, cells.get(1), i + 1));
        previous = path;
      }
    }
    assertThat(ROWS).as("reference rows read from " + DOC.toAbsolutePath()).hasSizeGreaterThan(100);
  }

  @Test
  void everyDocumentedFieldIsInTheSchema() {
    List<String> unknown =
        ROWS.stream()
            .filter(r -> !fields.containsKey(r.path()))
            .map(r -> "configuration.md:" + r.line() + ": " + r.path())
            .toList();
    assertThat(unknown).as("documented fields the schema does not declare").isEmpty();
  }

  @Test
  void everySchemaFieldIsDocumented() {
    List<String> documented = ROWS.stream().map(Row::path).toList();
    // a heading documents its own field (policies: prose and a reference of its own), not each of
    // its fields
    List<String> missing =
        fields.keySet().stream()
            .filter(f -> !NAMED.contains(f) && documented.stream().noneMatch(d -> related(f, d)))
            .toList();
    assertThat(missing).as("schema fields without a row in docs/configuration.md").isEmpty();
  }

  @Test
  void documentedDefaultsAreTheSchemasDefaults() {
    List<String> wrong = new ArrayList<>();
    for (Row r : ROWS) {
      SchemaTree.Location at = fields.get(r.path());
      if (at == null) {
        continue;
      }
      Optional<JsonNode> schemaDefault = at.defaultValue();
      Matcher plain = PLAIN_LITERAL.matcher(r.defaultCell());
      String where = "configuration.md:" + r.line() + ": " + r.path() + ": ";
      if (schemaDefault.isPresent()) {
        String literal = "`" + schemaDefault.get().asText() + "`";
        // "as for `traffic`": the same default as another field's, which its own row checks
        if (!r.defaultCell().startsWith(literal) && !r.defaultCell().startsWith("as for ")) {
          wrong.add(
              where + "the schema's default is " + literal + ", the table says " + r.defaultCell());
        }
        String type = typeProblem(at, schemaDefault.get());
        if (type != null) {
          wrong.add(where + type);
        }
      } else if (plain.matches()) {
        wrong.add(where + "the table gives the default " + r.defaultCell() + ", the schema none");
      }
    }
    assertThat(wrong).isEmpty();
  }

  /** The schema's default must be a value of the field's own type (or one of its enumeration). */
  private static String typeProblem(SchemaTree.Location at, JsonNode value) {
    Optional<JsonNode> enumeration = at.keyword("enum");
    if (enumeration.isPresent()) {
      for (JsonNode allowed : enumeration.get()) {
        if (allowed.equals(value)) {
          return null;
        }
      }
      return "default " + value + " is not one of " + enumeration.get();
    }
    Optional<JsonNode> type = at.keyword("type");
    if (type.isEmpty()) {
      return null;
    }
    List<String> types = new ArrayList<>();
    if (type.get().isArray()) {
      type.get().forEach(t -> types.add(t.asText()));
    } else {
      types.add(type.get().asText());
    }
    String actual =
        value.isBoolean()
            ? "boolean"
            : value.isIntegralNumber()
                ? "integer"
                : value.isNumber()
                    ? "number"
                    : value.isTextual()
                        ? "string"
                        : value.isArray() ? "array" : value.isObject() ? "object" : "null";
    boolean ok = types.contains(actual) || actual.equals("integer") && types.contains("number");
    return ok ? null : "default " + value + " is a " + actual + ", the field's type " + types;
  }

  /**
   * Same field, or one documents the other as a whole (a parent row covers its fields, a field row
   * its parent).
   */
  private static boolean related(String field, String documented) {
    return field.equals(documented)
        || field.startsWith(documented + ".")
        || field.startsWith(documented + "[]")
        || documented.startsWith(field + ".")
        || documented.startsWith(field + "[]");
  }

  private static String resolve(String prefix, String token, String previous) {
    String t = stripItems(token);
    if (t.startsWith("…")) {
      String suffix = t.substring(1);
      suffix = suffix.startsWith(".") ? suffix : "." + suffix;
      String end = suffix;
      List<String> candidates =
          fields.keySet().stream().filter(f -> f.startsWith(prefix) && f.endsWith(end)).toList();
      return candidates.size() == 1 ? candidates.get(0) : prefix + "?" + t;
    }
    if (t.startsWith(".") && previous != null) {
      int dot = previous.lastIndexOf('.');
      return (dot < 0 ? "" : previous.substring(0, dot)) + t;
    }
    return prefix + t;
  }

  private static String prefixOf(String named) {
    return (named.equals("set-backend-service") ? "apis[].set-backend-service" : named) + ".";
  }

  private static String stripItems(String path) {
    return path.endsWith("[]") ? path.substring(0, path.length() - 2) : path;
  }

  private static List<String> code(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static List<String> cells(String line) {
    String inner = line.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> out = new ArrayList<>();
    for (String c : inner.split("\\|", -1)) {
      out.add(c.strip());
    }
    if (out.size() > 3) {
      // a '|' inside the meaning column
      out =
          new ArrayList<>(
              List.of(out.get(0), out.get(1), String.join("|", out.subList(2, out.size()))));
    }
    return out;
  }
}
