package dev.portico.gateway.config;

import dev.portico.gateway.config.internal.ConfigBinder;
import dev.portico.gateway.config.internal.RootCause;
import dev.portico.gateway.config.internal.EnvOverrides;
import dev.portico.gateway.config.internal.LocalAddresses;
import dev.portico.gateway.config.internal.SchemaCheck;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the gateway configuration: a YAML or JSON file read with Vert.x Config (or the built-in
 * default), then {@code PORTICO_*} environment overrides, then validation. Either every problem
 * is reported in one {@link ConfigException}, or a complete {@link GatewayConfig} is returned:
 * nothing is ever half-applied.
 */
public final class ConfigLoader {

  /** Name of the built-in configuration used when no file is given: the local registry and demo backends. */
  public static final String BUILT_IN = "portico-default.yaml";
  public static final String BUILT_IN_SOURCE = "<built-in default " + BUILT_IN + ">";
  /** How a problem caused by an environment override names its source. */
  public static final String ENV = "environment variable ";

  private ConfigLoader() {
  }

  /** Reads and validates {@code file} (or the built-in default when empty). Never blocks the caller's event loop. */
  public static Future<GatewayConfig> load(Vertx vertx, Optional<Path> file, Map<String, String> env) {
    String source = file.map(Path::toString).orElse(BUILT_IN_SOURCE);
    Future<JsonObject> raw;
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      raw = Future.failedFuture(ConfigException.of(source, "", "file not found"));
    } else {
      String path = file.map(Path::toString).orElse(BUILT_IN);
      String format = path.toLowerCase(Locale.ROOT).endsWith(".json") ? "json" : "yaml";
      ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setScanPeriod(0)
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("file").setFormat(format)
          .setConfig(new JsonObject().put("path", path))));
      raw = retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(ConfigException.of(source, "", "cannot read " + format + ": " + RootCause.message(e))));
    }
    // binding may read secret files: keep it off the event loop
    return raw.compose(json -> vertx.executeBlocking(() -> fromJson(source, json, env), false));
  }

  /** Like {@link #load} from a thread that may block (the launcher's main thread); uses a short-lived Vert.x. */
  public static GatewayConfig loadBlocking(Optional<Path> file, Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    try {
      return load(vertx, file, env).await();
    } finally {
      vertx.close().await();
    }
  }

  /** Validates and binds a raw configuration document. Pure apart from reading named-value files. */
  public static GatewayConfig fromJson(String source, JsonObject raw, Map<String, String> env) {
    return fromJson(source, raw, env, LocalAddresses.detect());
  }

  static GatewayConfig fromJson(String source, JsonObject raw, Map<String, String> env, LocalAddresses local) {
    JsonObject doc = raw.copy();
    List<EnvOverrides.Problem> envProblems = new ArrayList<>();
    Map<String, String> origins = EnvOverrides.apply(doc, env, envProblems);
    List<SchemaCheck.FieldProblem> problems = new ArrayList<>(SchemaCheck.check(doc));
    // the binder is given no origins: every problem is attributed below, in one place
    ConfigBinder binder = new ConfigBinder(doc, env, Map.of(), local);
    GatewayConfig config = binder.bind(source);
    dropSchemaProblemsOfBoundPolicies(problems, binder.problems());
    problems.addAll(binder.problems());
    if (!envProblems.isEmpty() || !problems.isEmpty()) {
      List<ConfigProblem> all = new ArrayList<>();
      envProblems.forEach(p -> all.add(new ConfigProblem(ENV + p.variable(), "", p.reason())));
      for (SchemaCheck.FieldProblem p : problems) {
        // a field the environment set (or created, when misspelt) is the variable's problem, not the file's
        String origin = origins.get(p.path());
        all.add(new ConfigProblem(origin == null ? source : ENV + origin, p.path(), p.reason()));
      }
      throw new ConfigException(all);
    }
    return config;
  }

  private static final java.util.regex.Pattern POLICY_ENTRY = java.util.regex.Pattern.compile("^.*?policies\\[\\d+]");

  /**
   * A policy entry the policy binder found wrong is reported in its words only: the schema would add
   * its view of the same field, and for an entry that matches none of a list's alternatives one line
   * per alternative ("must be the constant value 'base'", ...), which helps nobody.
   */
  private static void dropSchemaProblemsOfBoundPolicies(List<SchemaCheck.FieldProblem> schema,
                                                        List<SchemaCheck.FieldProblem> bound) {
    java.util.Set<String> entries = new java.util.HashSet<>();
    for (SchemaCheck.FieldProblem p : bound) {
      java.util.regex.Matcher m = POLICY_ENTRY.matcher(p.path());
      if (m.find()) {
        entries.add(m.group());
      }
    }
    if (entries.isEmpty()) {
      return;
    }
    schema.removeIf(p -> {
      java.util.regex.Matcher m = POLICY_ENTRY.matcher(p.path());
      return m.find() && entries.contains(m.group());
    });
  }
}
