package dev.portico.gateway.openapi;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code --import-openapi FILE|URL}: what importing the document creates, printed as configuration
 * (a {@code backends} entry from {@code servers[0]} and an {@code apis} entry with one operation
 * per path and method), so that it can be reviewed, pasted into a configuration, or kept as a
 * static one. The same document named in {@code apis[].openapi} produces the same API.
 */
public final class ImportCommand {

  /** Exit status for a document that cannot be imported (as for an invalid configuration). */
  public static final int EXIT_INVALID = 2;

  private ImportCommand() {}

  /**
   * Imports {@code location} (a file path or an http(s) URL); prints to {@code out}, or problems to
   * {@code err}.
   */
  public static int run(String location, PrintStream out, PrintStream err) {
    boolean url =
        location.regionMatches(true, 0, "http://", 0, 7)
            || location.regionMatches(true, 0, "https://", 0, 8);
    // an absolute path in the output: the configuration printed may live anywhere
    String file = url ? null : Path.of(location).toAbsolutePath().normalize().toString();
    OpenApiSource source =
        new OpenApiSource(file, url ? location : null, OpenApiSource.Validation.OFF);
    Vertx vertx = Vertx.vertx();
    OpenApiDefinition def;
    try {
      def = new OpenApiImporter(vertx, Path.of("").toAbsolutePath()).load(source);
    } catch (OpenApiException e) {
      e.problems().forEach(err::println);
      return EXIT_INVALID;
    } finally {
      vertx.close();
    }
    if (def.serverUrl() == null) {
      err.println(def.serverProblem());
      return EXIT_INVALID;
    }
    out.print(yaml(def, apiId(location)));
    return 0;
  }

  /**
   * The API's id (and path): the document's file name without its extension, in the id's alphabet.
   */
  static String apiId(String location) {
    String path = location;
    try {
      String p = URI.create(location).getPath();
      if (p != null && !p.isEmpty()) {
        path = p;
      }
    } catch (IllegalArgumentException notAUri) {
      // a file path with spaces or the like: its own text
    }
    String name = path.replace('\\', '/');
    name = name.substring(name.lastIndexOf('/') + 1);
    int dot = name.indexOf('.');
    name =
        (dot > 0 ? name.substring(0, dot) : name)
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9._-]+", "-")
            .replaceAll("^[^a-z0-9]+", "");
    if (name.isEmpty()) {
      name = "imported";
    }
    return name.length() > 80 ? name.substring(0, 80) : name;
  }

  static String yaml(OpenApiDefinition def, String id) {
    Map<String, Object> backend = new LinkedHashMap<>();
    backend.put("id", id + "-backend");
    backend.put("url", def.serverUrl());
    List<Object> operations = new ArrayList<>();
    for (OpenApiDefinition.Operation op : def.operations()) {
      Map<String, Object> o = new LinkedHashMap<>();
      // an operation without operationId is "METHOD path" either way: the configuration's default
      // id
      if (!op.id().equals(op.method() + " " + op.path())) {
        o.put("id", op.id());
      }
      o.put("method", op.method());
      o.put("path", op.path());
      operations.add(o);
    }
    Map<String, Object> api = new LinkedHashMap<>();
    api.put("id", id);
    api.put("path", "/" + id);
    api.put("backend", id + "-backend");
    api.put("operations", operations);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("backends", List.of(backend));
    doc.put("apis", List.of(api));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setWidth(120);
    return "# imported from "
        + def.document()
        + ": "
        + def.operations().size()
        + " operation"
        + (def.operations().size() == 1 ? "" : "s")
        + ", backend from servers[0]\n"
        + "# the same API, re-read on every reload: apis: [ { id: "
        + id
        + ", path: /"
        + id
        + ", openapi: { "
        + (def.document().contains("://") ? "url" : "file")
        + ": \""
        + def.document()
        + "\" } } ]\n"
        + new Yaml(options).dump(doc);
  }
}
