package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.bool;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.gateway.config.NamedValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named values ({@code namedValues[]}) and their one cross-reference: {@code {{name}}} in the
 * fields that may use them, replaced by {@link #substitute}; an unknown name is a problem where it
 * is used.
 */
final class NamedValues {

  private static final Pattern NAMED_VALUE_REF = Pattern.compile("\\{\\{\\s*([^{}\\s]+)\\s*}}");

  private final Problems problems;
  private final Map<String, String> env;
  private final Map<String, NamedValue> values = new LinkedHashMap<>();

  NamedValues(Problems problems, Map<String, String> env) {
    this.problems = problems;
    this.env = env;
  }

  /** The values bound, in the configuration's order. */
  List<NamedValue> values() {
    return List.copyOf(values.values());
  }

  /**
   * Binds {@code namedValues[]}: each from its value, environment variable or file, once per name.
   */
  void bind(JsonArray list) {
    ConfigList names = new ConfigList(problems, "named value");
    ConfigList.forEach(list, "namedValues", entry -> bind(entry, names));
  }

  private void bind(ConfigList.Entry entry, ConfigList names) {
    String at = entry.at();
    JsonObject nv = entry.json();
    String name = entry.string("name", null);
    if (name == null || !names.claim(entry.at("name"), name)) {
      return;
    }
    List<String> sources = new ArrayList<>();
    for (String k : List.of("value", "env", "file")) {
      if (nv.containsKey(k)) {
        sources.add(k);
      }
    }
    if (sources.size() != 1) {
      problems.add(
          at,
          "needs exactly one of 'value', 'env' or 'file'"
              + (sources.isEmpty() ? "" : " (has " + String.join(", ", sources) + ")"));
      return;
    }
    boolean secret = bool(nv, "secret", !sources.get(0).equals("value"));
    String value =
        switch (sources.get(0)) {
          case "value" -> string(nv, "value", "");
          case "env" -> {
            String var = string(nv, "env", "");
            String v = env.get(var);
            if (v == null) {
              problems.add(at + ".env", "environment variable '" + var + "' is not set");
            }
            yield v;
          }
          default -> {
            String file = string(nv, "file", "");
            try {
              yield stripFinalNewline(Files.readString(Path.of(file), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
              problems.add(
                  at + ".file",
                  "cannot read '"
                      + file
                      + "': "
                      + e.getClass().getSimpleName()
                      + (e.getMessage() == null ? "" : " " + e.getMessage()));
              yield null;
            }
          }
        };
    if (value != null) {
      values.put(name, new NamedValue(name, value, secret));
    }
  }

  /**
   * Replaces every {@code {{name}}} in {@code value}; an unknown name is a problem at {@code at}.
   */
  String substitute(String at, String value) {
    if (value.indexOf("{{") < 0) {
      return value;
    }
    Matcher m = NAMED_VALUE_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      NamedValue nv = values.get(m.group(1));
      if (nv == null) {
        problems.add(at, "unknown named value '{{" + m.group(1) + "}}'");
        m.appendReplacement(out, "");
      } else {
        m.appendReplacement(out, Matcher.quoteReplacement(nv.value()));
      }
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String stripFinalNewline(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }
}
