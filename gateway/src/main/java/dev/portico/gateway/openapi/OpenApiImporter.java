package dev.portico.gateway.openapi;

import dev.portico.discovery.json.LenientJson;
import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.openapi.internal.DocumentReader;
import dev.portico.gateway.openapi.internal.DocumentReader.Document;
import dev.portico.gateway.openapi.internal.Pointers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports an OpenAPI 3.0 or 3.1 document (YAML or JSON) as APIM's "import an OpenAPI specification"
 * does: operations from its paths and methods, the backend from its first server. Vert.x OpenAPI
 * checks the document against the OpenAPI meta-schema, resolves its {@code $ref}s (local and
 * relative-file) and builds the contract requests are validated against; what this class adds is
 * what a gateway needs on top: every problem named by document and JSON pointer, the gateway's
 * path-template rules, and the server URL resolved.
 *
 * <p>{@link #load} blocks (file and network reads, schema validation): the configuration binder
 * runs it on a worker thread or the launcher's main thread, never on an event loop.
 */
public final class OpenApiImporter {

  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern SERVER_VARIABLE = Pattern.compile("\\{([^{}]+)}");

  /** Meta-schema validation and contract building of a large document take seconds, not minutes. */
  private static final long CONTRACT_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  private final Path baseDir;

  /**
   * @param vertx used for the document's URL (its HTTP client) and by Vert.x OpenAPI
   * @param baseDir the directory a relative {@code file} is read from (the configuration file's)
   */
  public OpenApiImporter(Vertx vertx, Path baseDir) {
    this.vertx = vertx;
    this.baseDir = baseDir;
  }

  /** Reads, checks and imports the document. Blocks; never call it on an event loop. */
  public OpenApiDefinition load(OpenApiSource source) throws OpenApiException {
    DocumentReader reader = new DocumentReader(vertx);
    String name = source.location();
    URI uri;
    try {
      if (source.file() != null) {
        Path p = Path.of(source.file());
        uri = (p.isAbsolute() ? p : baseDir.resolve(p)).toAbsolutePath().normalize().toUri();
      } else {
        uri = URI.create(source.url());
      }
    } catch (IllegalArgumentException e) {
      throw new OpenApiException(
          List.of(
              name
                  + ": not a valid "
                  + (source.file() != null ? "file path" : "URL")
                  + ": "
                  + e.getMessage()));
    }
    Document main =
        reader
            .read(uri, name)
            .orElseThrow(reason -> new OpenApiException(List.of(name + ": " + reason)));
    List<String> problems = new ArrayList<>();
    JsonObject json = main.json();
    OpenAPIVersion version = version(main, problems);
    if (version == null) {
      throw new OpenApiException(problems);
    }
    Map<URI, Document> external = new LinkedHashMap<>();
    checkRefs(reader, main, external, problems);
    if (problems.isEmpty()) {
      metaSchema(version, main, problems);
    }
    List<OpenApiDefinition.Operation> operations = operations(main, problems);
    if (!problems.isEmpty()) {
      throw new OpenApiException(problems);
    }
    String[] server = server(main);
    OpenAPIContract contract =
        source.validation().any() ? contract(main, external, operations, problems) : null;
    if (!problems.isEmpty()) {
      throw new OpenApiException(problems);
    }
    return new OpenApiDefinition(
        name,
        digest(main, external),
        operations,
        server[0],
        server[1],
        source.validation(),
        contract);
  }

  // --- checks -------------------------------------------------------------------------------

  private static OpenAPIVersion version(Document doc, List<String> problems) {
    Object v = doc.json().getValue("openapi");
    if (v == null) {
      problems.add(
          doc.name()
              + "#/openapi: "
              + (doc.json().containsKey("swagger")
                  ? "a Swagger 2.0 document; import takes OpenAPI 3.0 or 3.1 (convert it first)"
                  : "missing: not an OpenAPI document (3.0 or 3.1)"));
      return null;
    }
    String s = String.valueOf(v);
    if (s.startsWith("3.0.")) {
      return OpenAPIVersion.V3_0;
    }
    if (s.startsWith("3.1.")) {
      return OpenAPIVersion.V3_1;
    }
    problems.add(doc.name() + "#/openapi: version '" + s + "' is not supported (3.0.x or 3.1.x)");
    return null;
  }

  /**
   * Every {@code $ref} must resolve: a local one in its own document, a relative one in the file
   * (or URL) it names, read here so that Vert.x OpenAPI can resolve it too. Reported at the {@code
   * $ref}.
   */
  private static void checkRefs(
      DocumentReader reader, Document main, Map<URI, Document> external, List<String> problems) {
    Deque<Document> todo = new ArrayDeque<>();
    todo.add(main);
    Map<URI, String> unreadable = new HashMap<>();
    while (!todo.isEmpty()) {
      Document doc = todo.poll();
      walk(
          doc.json(),
          "",
          (pointer, ref) -> {
            String at = doc.name() + "#" + pointer + "/$ref";
            int hash = ref.indexOf('#');
            String filePart = hash < 0 ? ref : ref.substring(0, hash);
            String fragment = hash < 0 ? "" : ref.substring(hash + 1);
            Document target = doc;
            if (!filePart.isEmpty()) {
              URI targetUri;
              try {
                targetUri = doc.uri().resolve(filePart).normalize();
              } catch (IllegalArgumentException e) {
                problems.add(at + ": '" + ref + "' is not a valid reference: " + e.getMessage());
                return;
              }
              if (targetUri.equals(main.uri())) {
                target = main;
              } else if (external.containsKey(targetUri)) {
                target = external.get(targetUri);
              } else if (unreadable.containsKey(targetUri)) {
                problems.add(at + ": cannot read '" + filePart + "': " + unreadable.get(targetUri));
                return;
              } else {
                var read = reader.read(targetUri, relativeName(main, targetUri));
                if (read.failed()) {
                  unreadable.put(targetUri, read.reason());
                  problems.add(at + ": cannot read '" + filePart + "': " + read.reason());
                  return;
                }
                target = read.document();
                external.put(targetUri, target);
                todo.add(target);
              }
            }
            if (!fragment.isEmpty()) {
              String decoded =
                  URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
              Object found;
              try {
                found =
                    decoded.startsWith("/")
                        ? JsonPointer.from(decoded).queryJson(target.json())
                        : null;
              } catch (IllegalArgumentException e) {
                found = null;
              }
              if (found == null) {
                problems.add(
                    at
                        + ": '"
                        + ref
                        + "' does not resolve"
                        + (target == doc ? "" : " in " + target.name())
                        + (decoded.startsWith("/")
                            ? ": nothing at #" + decoded
                            : ": the fragment is no JSON pointer"));
              }
            }
          });
    }
  }

  private interface RefVisitor {
    void ref(String pointer, String ref);
  }

  private static void walk(Object node, String pointer, RefVisitor visitor) {
    if (node instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        if (e.getKey().equals("$ref") && e.getValue() instanceof String ref) {
          visitor.ref(pointer, ref);
        } else {
          walk(e.getValue(), pointer + "/" + Pointers.escape(e.getKey()), visitor);
        }
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        walk(a.getValue(i), pointer + "/" + i, visitor);
      }
    }
  }

  /**
   * The OpenAPI meta-schema (Vert.x OpenAPI's copy): the most specific violation, by JSON pointer.
   */
  private void metaSchema(OpenAPIVersion version, Document doc, List<String> problems) {
    OutputUnit result;
    try {
      SchemaRepository repo = await(version.getRepository(vertx, "app://"));
      result = await(version.validateContract(vertx, repo, withoutServerTemplates(doc.json())));
    } catch (RuntimeException e) {
      problems.add(
          doc.name()
              + ": cannot check against the OpenAPI "
              + version.name()
              + " schema: "
              + RootCause.message(e));
      return;
    }
    if (Boolean.TRUE.equals(result.getValid())
        || result.getErrors() == null
        || result.getErrors().isEmpty()) {
      return;
    }
    // a oneOf failure lists every branch's complaint; the deepest location is the one to fix
    // among the deepest, a complaint of a keyword that checks the value itself ("required") beats
    // that of one that only combines other schemas ("oneOf": 0 matches)
    OutputUnit best = null;
    for (OutputUnit u : result.getErrors()) {
      int d = depth(u.getInstanceLocation() == null ? "" : u.getInstanceLocation());
      int bestDepth =
          best == null
              ? -1
              : depth(best.getInstanceLocation() == null ? "" : best.getInstanceLocation());
      if (d > bestDepth || d == bestDepth && combinator(best) && !combinator(u)) {
        best = u;
      }
    }
    String loc = best.getInstanceLocation() == null ? "" : best.getInstanceLocation();
    // the value may break several rules there (or one rule of each oneOf branch): name them all, up
    // to a few
    java.util.Set<String> messages = new java.util.LinkedHashSet<>();
    for (OutputUnit u : result.getErrors()) {
      if (loc.equals(u.getInstanceLocation())
          && (combinator(best) || !combinator(u))
          && messages.size() < 4) {
        messages.add(u.getError());
      }
    }
    if (loc.startsWith("#")) {
      loc = loc.substring(1);
    }
    problems.add(
        doc.name()
            + "#"
            + loc
            + ": "
            + String.join("; ", messages)
            + " (OpenAPI "
            + version.name().substring(1).replace('_', '.')
            + " schema"
            + (result.getErrors().size() > 1
                ? "; " + result.getErrors().size() + " violations in all"
                : "")
            + ")");
  }

  /**
   * A copy whose server URLs have their {@code {variables}} replaced by the variables' names: the
   * schemas check {@code url} as a URI reference, which a template is not, though OpenAPI allows
   * it.
   */
  private static JsonObject withoutServerTemplates(JsonObject json) {
    if (!(json.getValue("servers") instanceof JsonArray)) {
      return json;
    }
    JsonObject copy = json.copy();
    for (Object s : copy.getJsonArray("servers")) {
      if (s instanceof JsonObject server && server.getValue("url") instanceof String url) {
        JsonObject vars = LenientJson.object(server, "variables");
        server.put(
            "url",
            SERVER_VARIABLE
                .matcher(url)
                .replaceAll(
                    m ->
                        Matcher.quoteReplacement(
                            vars.getValue(m.group(1)) instanceof JsonObject v
                                    && v.getValue("default") != null
                                ? String.valueOf(v.getValue("default"))
                                : m.group(1))));
      }
    }
    return copy;
  }

  private static boolean combinator(OutputUnit u) {
    String k = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    k = k.substring(k.lastIndexOf('/') + 1);
    return COMBINATORS.contains(k);
  }

  private static final java.util.Set<String> COMBINATORS =
      java.util.Set.of(
          "oneOf",
          "anyOf",
          "allOf",
          "not",
          "$ref",
          "properties",
          "patternProperties",
          "additionalProperties",
          "items",
          "prefixItems",
          "if",
          "then",
          "else",
          "$dynamicRef",
          "unevaluatedProperties",
          "dependentSchemas");

  private static int depth(String pointer) {
    int n = 0;
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }

  /**
   * The operations, one per path and method, checked against the gateway's path templates (a
   * parameter is a whole segment); an operation without {@code operationId} is named {@code METHOD
   * path}, as a configured one is.
   */
  private static List<OpenApiDefinition.Operation> operations(Document doc, List<String> problems) {
    List<OpenApiDefinition.Operation> out = new ArrayList<>();
    JsonObject paths = LenientJson.object(doc.json(), "paths");
    Map<String, String> ids = new HashMap<>();
    Map<String, String> routes = new HashMap<>();
    for (Map.Entry<String, Object> e : paths) {
      String path = e.getKey();
      if (path.startsWith("x-") || !(e.getValue() instanceof JsonObject item)) {
        continue;
      }
      String at = doc.name() + "#/paths/" + Pointers.escape(path);
      PathTemplate template;
      try {
        template = PathTemplate.parse(path);
      } catch (IllegalArgumentException ex) {
        problems.add(
            at
                + ": "
                + ex.getMessage().replace("operation path", "path template")
                + " (the gateway routes whole-segment parameters only)");
        continue;
      }
      for (String m : METHODS) {
        if (!(item.getValue(m) instanceof JsonObject op)) {
          continue;
        }
        String method = m.toUpperCase(Locale.ROOT);
        String id =
            op.getValue("operationId") instanceof String s && !s.isBlank()
                ? s
                : method + " " + path;
        String opAt = at + "/" + m;
        String other = ids.putIfAbsent(id, opAt);
        if (other != null) {
          problems.add(
              opAt + "/operationId: duplicate operationId '" + id + "' (also " + other + ")");
        }
        String sameRoute = routes.putIfAbsent(method + " " + template.canonical(), path);
        if (sameRoute != null) {
          problems.add(
              opAt
                  + ": "
                  + method
                  + " "
                  + path
                  + " matches the same requests as "
                  + method
                  + " "
                  + sameRoute);
        }
        out.add(new OpenApiDefinition.Operation(id, method, path));
      }
    }
    if (out.isEmpty() && problems.isEmpty()) {
      problems.add(doc.name() + "#/paths: the document has no operations to import");
    }
    return out;
  }

  /**
   * {@code servers[0].url} with its variables' defaults substituted, resolved against the
   * document's URL when relative: {@code [url, null]}, or {@code [null, why not]}.
   */
  private static String[] server(Document doc) {
    JsonArray servers = LenientJson.array(doc.json(), "servers");
    // OpenAPI: no servers means one server at "/", relative to where the document was served
    JsonObject s0 =
        !servers.isEmpty() && servers.getValue(0) instanceof JsonObject o
            ? o
            : new JsonObject().put("url", "/");
    String at = doc.name() + "#/servers" + (servers.isEmpty() ? "" : "/0/url");
    String url = LenientJson.string(s0, "url", "/");
    JsonObject vars = LenientJson.object(s0, "variables");
    Matcher m = SERVER_VARIABLE.matcher(url);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      Object def = vars.getValue(m.group(1)) instanceof JsonObject v ? v.getValue("default") : null;
      if (def == null) {
        return new String[] {
          null,
          at + ": server variable {" + m.group(1) + "} has no default in #/servers/0/variables"
        };
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(def)));
    }
    m.appendTail(sb);
    url = sb.toString();
    URI resolved;
    try {
      URI u = URI.create(url);
      if (u.isAbsolute()) {
        resolved = u;
      } else if (doc.uri().getScheme().startsWith("http")) {
        resolved = doc.uri().resolve(u);
      } else {
        return new String[] {
          null,
          at
              + ": the server URL '"
              + url
              + "' is relative, and a relative server URL is"
              + " resolved against the document's URL; this document is a file: give the API a backend, or the"
              + " document an absolute server URL"
        };
      }
    } catch (IllegalArgumentException e) {
      return new String[] {null, at + ": '" + url + "' is not a valid URL: " + e.getMessage()};
    }
    String out = resolved.toString();
    while (out.endsWith("/") && out.indexOf("/", out.indexOf("//") + 2) < out.length() - 1) {
      out = out.substring(0, out.length() - 1);
    }
    if (out.endsWith("/") && out.indexOf("/", out.indexOf("//") + 2) == out.length() - 1) {
      out = out.substring(0, out.length() - 1); // http://host/ is the host's root: no base path
    }
    return new String[] {out, null};
  }

  /**
   * The contract requests are validated against. Operations without an {@code operationId} get the
   * gateway's id for them (Vert.x OpenAPI finds operations by id); relative files are handed over
   * under the name their {@code $ref}s use, relative to the main document.
   */
  private OpenAPIContract contract(
      Document main,
      Map<URI, Document> external,
      List<OpenApiDefinition.Operation> ops,
      List<String> problems) {
    JsonObject json = withoutServerTemplates(main.json()).copy();
    JsonObject paths = json.getJsonObject("paths");
    for (OpenApiDefinition.Operation op : ops) {
      JsonObject o =
          paths.getJsonObject(op.path()).getJsonObject(op.method().toLowerCase(Locale.ROOT));
      if (!(o.getValue("operationId") instanceof String s) || s.isBlank()) {
        o.put("operationId", op.id());
      }
    }
    // Vert.x OpenAPI looks a file reference up by the literal text before its '#', and files by the
    // absolute URI they are registered under: relative references are rewritten to those URIs
    Map<URI, String> keys = new HashMap<>();
    int n = 0;
    for (URI uri : external.keySet()) {
      keys.put(uri, "urn:portico:openapi:" + n++);
    }
    rewriteRefs(json, main.uri(), keys);
    Map<String, JsonObject> files = new HashMap<>();
    external.forEach(
        (uri, doc) -> {
          JsonObject copy = doc.json().copy();
          rewriteRefs(copy, uri, keys);
          files.put(keys.get(uri), copy);
        });
    try {
      return await(OpenAPIContract.from(vertx, json, files));
    } catch (RuntimeException e) {
      problems.add(
          main.name()
              + ": Vert.x OpenAPI cannot validate requests against this document: "
              + RootCause.message(e));
      return null;
    }
  }

  private static void rewriteRefs(Object node, URI base, Map<URI, String> keys) {
    if (node instanceof JsonObject o) {
      if (o.getValue("$ref") instanceof String ref && !ref.startsWith("#")) {
        int hash = ref.indexOf('#');
        String key = keys.get(base.resolve(hash < 0 ? ref : ref.substring(0, hash)).normalize());
        if (key != null) {
          o.put("$ref", key + (hash < 0 ? "" : ref.substring(hash)));
        }
      }
      for (Map.Entry<String, Object> e : o) {
        rewriteRefs(e.getValue(), base, keys);
      }
    } else if (node instanceof JsonArray a) {
      for (Object v : a) {
        rewriteRefs(v, base, keys);
      }
    }
  }

  private static String relativeName(Document main, URI uri) {
    URI rel = main.uri().resolve(".").relativize(uri);
    return rel.isAbsolute() ? uri.toString() : rel.toString();
  }

  private static String digest(Document main, Map<URI, Document> external) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(main.bytes());
      new TreeMap<>(external)
          .forEach(
              (u, d) -> {
                sha.update(u.toString().getBytes(StandardCharsets.UTF_8));
                sha.update(d.bytes());
              });
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits for a Vert.x result from a thread that may block (a worker's {@code Future.await} is
   * refused).
   */
  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(CONTRACT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no result within " + CONTRACT_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
