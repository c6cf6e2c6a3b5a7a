package dev.portico.gateway.config.internal;

import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.document.SchemaCheck;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * From a parsed document to a {@link GatewayConfig}: environment overrides, the schema check, then
 * binding. Every problem of all three steps is reported in one {@link ConfigException}, each
 * attributed to the file or to the environment variable that set the field.
 */
public final class ConfigPipeline {

  private static final Pattern POLICY_ENTRY = Pattern.compile("^.*?policies\\[\\d+]");

  private ConfigPipeline() {}

  /**
   * Blocks (reads named-value files, certificates and OpenAPI documents).
   *
   * @param vertx the Vert.x OpenAPI documents are fetched with, or {@code null}: one is started if
   *     a document is named
   */
  public static GatewayConfig bind(
      String source, JsonObject raw, Map<String, String> env, Vertx vertx) {
    try (OpenApiLoading openApi = new OpenApiLoading(vertx, OpenApiLoading.baseDir(source))) {
      return bind(source, raw.copy(), env, LocalAddresses.detect(), openApi);
    }
  }

  /**
   * As {@link #bind(String, JsonObject, Map, Vertx)}, for a document nobody else holds (just parsed
   * from the file): it is changed in place by the environment's overrides rather than copied first
   * (a deep copy of a configuration with tens of thousands of entries costs start-up time).
   */
  public static GatewayConfig bindParsed(
      String source, JsonObject parsed, Map<String, String> env, Vertx vertx) {
    try (OpenApiLoading openApi = new OpenApiLoading(vertx, OpenApiLoading.baseDir(source))) {
      return bind(source, parsed, env, LocalAddresses.detect(), openApi);
    }
  }

  /** {@code doc} is this call's to change (the environment's overrides are applied to it). */
  static GatewayConfig bind(
      String source,
      JsonObject doc,
      Map<String, String> env,
      LocalAddresses local,
      OpenApiLoading openApi) {
    List<EnvOverrides.Problem> envProblems = new ArrayList<>();
    Map<String, String> origins = EnvOverrides.apply(doc, env, envProblems);
    List<SchemaCheck.FieldProblem> problems = new ArrayList<>(ConfigSchema.CHECK.problems(doc));
    // the binder is given no origins: every problem is attributed below, in one place
    ConfigBinder binder = new ConfigBinder(doc, env, Map.of(), local).openApi(openApi);
    GatewayConfig config = binder.bind(source);
    dropSchemaProblemsOfBoundPolicies(problems, binder.problems());
    problems.addAll(binder.problems());
    if (!envProblems.isEmpty() || !problems.isEmpty()) {
      List<ConfigProblem> all = new ArrayList<>();
      envProblems.forEach(
          p -> all.add(new ConfigProblem(ConfigLoader.ENV + p.variable(), "", p.reason())));
      for (SchemaCheck.FieldProblem p : problems) {
        // a field the environment set (or created, when misspelt) is the variable's problem, not
        // the file's
        String origin = origins.get(p.path());
        all.add(
            new ConfigProblem(
                origin == null ? source : ConfigLoader.ENV + origin, p.path(), p.reason()));
      }
      throw new ConfigException(all);
    }
    return config;
  }

  /**
   * A policy entry the policy binder found wrong is reported in its words only: the schema would
   * add its view of the same field, and for an entry that matches none of a list's alternatives one
   * line per alternative ("must be the constant value 'base'", ...), which helps nobody.
   */
  private static void dropSchemaProblemsOfBoundPolicies(
      List<SchemaCheck.FieldProblem> schema, List<SchemaCheck.FieldProblem> bound) {
    Set<String> entries = new HashSet<>();
    for (SchemaCheck.FieldProblem p : bound) {
      Matcher m = POLICY_ENTRY.matcher(p.path());
      if (m.find()) {
        entries.add(m.group());
      }
    }
    if (entries.isEmpty()) {
      return;
    }
    schema.removeIf(
        p -> {
          Matcher m = POLICY_ENTRY.matcher(p.path());
          return m.find() && entries.contains(m.group());
        });
  }
}
