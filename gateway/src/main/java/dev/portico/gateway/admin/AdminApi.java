package dev.portico.gateway.admin;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.ServiceInstance;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.fabric.importer.ImporterStatus;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.config.AdminConfig;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.NamedValue;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.document.SchemaCheck;
import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.problem.ProblemWriter;
import dev.portico.gateway.sources.DiscoverySources;
import dev.portico.metrics.BreakerState;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin} on the management listener: what the gateway is running
 * (backends with their breakers, APIs, named values without secrets, Service Fabric importers),
 * APIM's backend reconnect, the registry's records (publish, status, unpublish) and the
 * configuration reload ({@link ConfigResource}). Every request needs {@code Authorization: Bearer
 * <admin.token>}; without a configured token the API is off. Answers are JSON; errors are {@code
 * application/problem+json}.
 */
public final class AdminApi {

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final String TYPE_BASE = "https://portico.dev/problems/admin-";

  /** APIM's default delay of a reconnect without {@code after}. */
  static final Duration DEFAULT_RECONNECT_AFTER = Duration.ofMinutes(2);

  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final String SCHEMAS = "/dev/portico/gateway/admin/";
  private static final SchemaCheck RECONNECT = SchemaCheck.of(SCHEMAS + "reconnect.schema.json");
  private static final SchemaCheck PUBLISH = SchemaCheck.of(SCHEMAS + "publish.schema.json");
  private static final SchemaCheck STATUS = SchemaCheck.of(SCHEMAS + "status.schema.json");
  private static final SchemaCheck NO_BODY = SchemaCheck.of(SCHEMAS + "empty.schema.json");

  private final Supplier<GatewayConfig> config;
  private final Registry registry;
  private final BackendStates breakers;
  private final FabricRuntime fabric;
  private final BiFunction<String, Duration, Future<List<String>>> reconnect;
  private final byte[] tokenDigest;

  private final ConfigResource configResource;
  private DiscoverySources sources = DiscoverySources.NONE;

  /**
   * @param config the configuration in force (a reload replaces it)
   * @param reconnect closes a backend's breakers after a delay (the gateway's own operation)
   * @param reloads the gateway's configuration reload
   */
  public AdminApi(
      Supplier<GatewayConfig> config,
      Registry registry,
      BackendStates breakers,
      FabricRuntime fabric,
      BiFunction<String, Duration, Future<List<String>>> reconnect,
      ConfigResource.Reloads reloads) {
    this.config = config;
    this.configResource = new ConfigResource(config, reloads);
    this.registry = registry;
    this.breakers = breakers;
    this.fabric = fabric;
    this.reconnect = reconnect;
    // the token is fixed for the life of the process: a reload that changes it is refused
    AdminConfig admin = config.get().admin();
    this.tokenDigest = admin.enabled() ? sha256(admin.token()) : null;
  }

  /**
   * The gateway's registry sources: their status, and the records they own (changed only by them).
   */
  public AdminApi withSources(DiscoverySources sources) {
    this.sources = sources;
    return this;
  }

  public void mount(Router router) {
    if (tokenDigest == null) {
      router
          .route("/admin*")
          .handler(
              ctx ->
                  problem(
                      ctx,
                      404,
                      "off",
                      "The admin API is off: configure admin.token to turn it on"));
      return;
    }
    router.route("/admin*").handler(this::authorize);
    router.route("/admin*").handler(AdminApi::jsonOnly);
    router.route("/admin*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    // whatever goes wrong on a route (a body over the limit, a bug) is answered here, never left to
    // the router
    router.route("/admin*").failureHandler(AdminApi::failed);
    router.get("/admin/backends").handler(ctx -> json(ctx, 200, backends()));
    router.get("/admin/backends/:id").handler(this::backend);
    router.post("/admin/backends/:id/reconnect").handler(this::reconnect);
    router.get("/admin/apis").handler(ctx -> json(ctx, 200, apis()));
    router.get("/admin/named-values").handler(ctx -> json(ctx, 200, namedValues()));
    router.get("/admin/registry").handler(this::records);
    router
        .get("/admin/registry/sources")
        .handler(
            ctx ->
                json(
                    ctx,
                    200,
                    new JsonArray(
                        sources.statuses().stream().map(s -> (Object) s.toJson()).toList())));
    router.post("/admin/registry").handler(this::publish);
    router.get("/admin/registry/:id").handler(this::record);
    router.put("/admin/registry/:id/status").handler(this::setStatus);
    router.delete("/admin/registry/:id").handler(this::unpublish);
    router.get("/admin/service-fabric/importers").handler(ctx -> json(ctx, 200, importers()));
    router.get("/admin/config").handler(configResource::show);
    router
        .post("/admin/config/reload")
        .handler(
            ctx -> {
              if (body(ctx, NO_BODY) != null) {
                configResource.reload(ctx);
              }
            });
    router
        .route("/admin*")
        .handler(
            ctx ->
                problem(
                    ctx,
                    404,
                    "not-found",
                    "No admin resource " + ctx.request().method() + " " + ctx.request().path()));
  }

  // --- authorization ----------------------------------------------------------------------------

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String given =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).strip()
            : null;
    // digests of equal length, compared in constant time: neither the token nor its length leaks
    if (given != null && MessageDigest.isEqual(tokenDigest, sha256(given))) {
      ctx.next();
      return;
    }
    log.warn(
        "admin API: {} {} from {} refused ({})",
        ctx.request().method(),
        ctx.request().path(),
        ctx.request().remoteAddress(),
        given == null ? "no bearer token" : "wrong token");
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"portico-admin\"");
    problem(ctx, 401, "unauthorized", "The admin API needs Authorization: Bearer <admin.token>");
  }

  // --- backends ---------------------------------------------------------------------------------

  private JsonArray backends() {
    JsonArray out = new JsonArray();
    config.get().backends().forEach(b -> out.add(backendJson(b)));
    return out;
  }

  private void backend(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    config
        .get()
        .backend(id)
        .ifPresentOrElse(
            b -> json(ctx, 200, backendJson(b)),
            () -> problem(ctx, 404, "not-found", "No backend '" + id + "'"));
  }

  private JsonObject backendJson(BackendConfig b) {
    JsonObject json = new JsonObject().put("id", b.id());
    if (b instanceof PoolBackendConfig pool) {
      JsonArray members = new JsonArray();
      pool.members()
          .forEach(
              m ->
                  members.add(
                      new JsonObject()
                          .put("id", m.id())
                          .put("priority", m.priority())
                          .put("weight", m.weight())));
      return json.put("type", "Pool").put("members", members);
    }
    json.put("type", "Single");
    if (b instanceof FabricBackendConfig sf) {
      json.put("serviceFabric", sf.service().toString());
    } else if (((SingleBackendConfig) b).target() instanceof BackendTarget.FixedUrl u) {
      json.put("url", u.url());
    } else if (((SingleBackendConfig) b).target() instanceof BackendTarget.RegistryService s) {
      json.put("service", s.service());
    }
    JsonArray states = new JsonArray();
    for (Map.Entry<String, BreakerState> e : breakers.breakerStates(b.id()).entrySet()) {
      states.add(new JsonObject().put("endpoint", e.getKey()).put("state", e.getValue().name()));
    }
    return json.put("breakers", states);
  }

  /**
   * APIM's reconnect: {@code {"after": "PT2M"}} (optional; APIM's default is two minutes, {@code
   * PT0S} closes now). A pool's members are reconnected.
   */
  private void reconnect(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (config.get().backend(id).isEmpty()) {
      problem(ctx, 404, "not-found", "No backend '" + id + "'");
      return;
    }
    JsonObject body = body(ctx, RECONNECT);
    if (body == null) {
      return;
    }
    Duration after;
    String a = body.getString("after");
    if (a == null) {
      after = DEFAULT_RECONNECT_AFTER;
    } else {
      try {
        after = Duration.parse(a);
      } catch (DateTimeParseException e) {
        invalid(ctx, "after", "'" + a + "' is not an ISO 8601 duration (PT0S, PT30S, PT2M)");
        return;
      }
      if (after.isNegative()) {
        invalid(ctx, "after", "must not be negative");
        return;
      }
    }
    log.info(
        "admin API: reconnect of backend {} after {} requested from {}",
        id,
        after,
        ctx.request().remoteAddress());
    Future<List<String>> done = reconnect.apply(id, after);
    if (after.isZero()) {
      done.onSuccess(
              closed ->
                  json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("backend", id)
                          .put("after", after.toString())
                          .put("closed", new JsonArray(closed))))
          .onFailure(e -> problem(ctx, 404, "not-found", e.getMessage()));
      return;
    }
    json(
        ctx,
        202,
        new JsonObject()
            .put("backend", id)
            .put("after", after.toString())
            .put("closesAt", Instant.now().plus(after).toString()));
  }

  // --- APIs, named values, importers ----------------------------------------------------------

  private JsonArray apis() {
    JsonArray out = new JsonArray();
    for (ApiConfig api : config.get().apis()) {
      JsonArray ops = new JsonArray();
      for (OperationConfig o : api.operations()) {
        ops.add(
            new JsonObject()
                .put("id", o.id())
                .put("method", o.method())
                .put("path", o.path())
                .put("backend", o.backend()));
      }
      JsonObject openapi =
          api.openapi() == null
              ? null
              : new JsonObject()
                  .put("document", api.openapi().document())
                  .put("sha256", api.openapi().digest())
                  .put(
                      "validate",
                      new JsonObject()
                          .put("parameters", api.openapi().validation().parameters())
                          .put("content", api.openapi().validation().content())
                          .put("maxBodySize", api.openapi().validation().maxBodySize()));
      out.add(
          new JsonObject()
              .put("id", api.id())
              .put("path", api.path())
              .put("backend", api.backend())
              .put("operations", ops)
              .put("retries", api.retry().count())
              .put("openapi", openapi));
    }
    return out;
  }

  /**
   * Names and whether each is secret; the value only of plain ones (a secret is never returned).
   */
  private JsonArray namedValues() {
    JsonArray out = new JsonArray();
    for (NamedValue nv : config.get().namedValues()) {
      JsonObject o = new JsonObject().put("name", nv.name()).put("secret", nv.secret());
      if (!nv.secret()) {
        o.put("value", nv.value());
      }
      out.add(o);
    }
    return out;
  }

  private JsonArray importers() {
    JsonArray out = new JsonArray();
    for (ImporterStatus s : fabric.importerStatuses()) {
      out.add(s.toJson());
    }
    return out;
  }

  // --- registry ---------------------------------------------------------------------------------

  private void records(RoutingContext ctx) {
    registry
        .instances()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                problem(
                    ctx,
                    503,
                    "registry-unavailable",
                    "The registry did not answer: " + ar.cause().getMessage());
                return;
              }
              JsonArray out = new JsonArray();
              ar.result().forEach(i -> out.add(instanceJson(i)));
              json(ctx, 200, out);
            });
  }

  private void record(RoutingContext ctx) {
    registry
        .instance(ctx.pathParam("id"))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                json(ctx, 200, instanceJson(ar.result()));
              } else {
                registryFailure(ctx, ar.cause());
              }
            });
  }

  /**
   * {@code {"service", "url", "status": "UP", "metadata": {..}}}: a new record, announced like any
   * other.
   */
  private void publish(RoutingContext ctx) {
    JsonObject body = body(ctx, PUBLISH);
    if (body == null) {
      return;
    }
    InstanceSpec spec;
    try {
      String service = body.getString("service");
      String url = body.getString("url");
      if (service.isBlank()) {
        throw new InvalidField("service", "a non-empty string is required");
      }
      InstanceStatus status =
          body.getValue("status") == null ? InstanceStatus.UP : status(body.getString("status"));
      Map<String, String> metadata = new HashMap<>();
      body.getJsonObject("metadata", new JsonObject())
          .forEach(e -> metadata.put(e.getKey(), (String) e.getValue()));
      if (metadata.containsKey(FabricRecords.SOURCE)) {
        throw new InvalidField(
            "metadata." + FabricRecords.SOURCE,
            "marks records of a Service Fabric importer, which owns them");
      }
      if (sources.runs(metadata.get(SourceRecords.SOURCE))) {
        throw new InvalidField(
            "metadata." + SourceRecords.SOURCE,
            "'"
                + metadata.get(SourceRecords.SOURCE)
                + "' is a registry source, which owns its records");
      }
      try {
        spec = InstanceSpec.of(service, url, status, metadata);
      } catch (IllegalArgumentException e) {
        throw new InvalidField("url", e.getMessage());
      }
    } catch (InvalidField e) {
      invalid(ctx, e.field, e.getMessage());
      return;
    }
    registry
        .publish(spec)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                registryFailure(ctx, ar.cause());
                return;
              }
              log.info(
                  "admin API: published {} ({} {})",
                  ar.result().id(),
                  spec.service(),
                  ar.result().baseUrl());
              ctx.response().putHeader(HttpHeaders.LOCATION, "/admin/registry/" + ar.result().id());
              json(ctx, 201, instanceJson(ar.result()));
            });
  }

  /** {@code {"status": "DOWN"}}: UP, DOWN or OUT_OF_SERVICE. */
  private void setStatus(RoutingContext ctx) {
    JsonObject body = body(ctx, STATUS);
    if (body == null) {
      return;
    }
    InstanceStatus status;
    try {
      status = status(body.getString("status"));
    } catch (InvalidField e) {
      invalid(ctx, e.field, e.getMessage());
      return;
    }
    String id = ctx.pathParam("id");
    mutable(id)
        .compose(i -> registry.setStatus(id, status))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                registryFailure(ctx, ar.cause());
                return;
              }
              log.info("admin API: record {} ({}) set {}", id, ar.result().service(), status);
              json(ctx, 200, instanceJson(ar.result()));
            });
  }

  private void unpublish(RoutingContext ctx) {
    if (body(ctx, NO_BODY) == null) {
      return;
    }
    String id = ctx.pathParam("id");
    mutable(id)
        .compose(i -> registry.unpublish(id).map(i))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                registryFailure(ctx, ar.cause());
                return;
              }
              log.info(
                  "admin API: unpublished {} ({} {})",
                  id,
                  ar.result().service(),
                  ar.result().baseUrl());
              ctx.response().setStatusCode(204).end();
            });
  }

  /**
   * The record, unless a Service Fabric importer or a registry source owns it (it would undo the
   * change).
   */
  private Future<ServiceInstance> mutable(String id) {
    return registry
        .instance(id)
        .compose(
            i -> {
              String owner = i.metadata(FabricRecords.SOURCE);
              if (owner != null) {
                return Future.failedFuture(
                    new OwnedRecord(
                        id, "the Service Fabric importer '" + owner + "'", "in the cluster"));
              }
              String source = i.metadata(SourceRecords.SOURCE);
              return !sources.runs(source)
                  ? Future.succeededFuture(i)
                  : Future.failedFuture(
                      new OwnedRecord(
                          id, "the registry source '" + source + "'", "where the source reads it"));
            });
  }

  private void registryFailure(RoutingContext ctx, Throwable e) {
    if (e instanceof NoSuchElementException) {
      problem(ctx, 404, "not-found", e.getMessage());
    } else if (e instanceof OwnedRecord o) {
      problem(ctx, 409, "conflict", o.getMessage());
    } else {
      problem(ctx, 503, "registry-unavailable", "The registry did not answer: " + e.getMessage());
    }
  }

  private static final class OwnedRecord extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OwnedRecord(String id, String owner, String where) {
      super(
          "Record "
              + id
              + " belongs to "
              + owner
              + ", which would undo the change at its next cycle; change it "
              + where,
          null,
          false,
          false);
    }
  }

  private JsonObject instanceJson(ServiceInstance i) {
    JsonObject metadata = new JsonObject();
    i.metadata().forEach(metadata::put);
    return new JsonObject()
        .put("id", i.id())
        .put("service", i.service())
        .put("url", i.baseUrl())
        .put("status", i.status().name())
        .put("source", sources.label(i))
        .put("metadata", metadata);
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static InstanceStatus status(String s) {
    try {
      InstanceStatus status = InstanceStatus.parse(s);
      if (status != InstanceStatus.UNKNOWN) {
        return status;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw new InvalidField("status", "'" + s + "' is not one of UP, DOWN, OUT_OF_SERVICE");
  }

  /** A field of a body that is well-formed but means nothing valid: a 422 naming it. */
  private static final class InvalidField extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    InvalidField(String field, String reason) {
      super(reason, null, false, false);
      this.field = field;
    }
  }

  /**
   * The body as a JSON object valid against {@code schema} ({@code {}} when there is none), or
   * {@code null} after answering: 400 when it is no JSON object, 422 naming every field that does
   * not validate (unknown, missing, of the wrong type). Nothing has changed when it answers.
   */
  private static JsonObject body(RoutingContext ctx, SchemaCheck schema) {
    JsonObject body = new JsonObject();
    if (ctx.body() != null && ctx.body().length() > 0) {
      Object parsed;
      try {
        parsed = Json.decodeValue(ctx.body().buffer());
      } catch (DecodeException e) {
        problem(ctx, 400, "bad-request", "The body is not valid JSON");
        return null;
      }
      if (!(parsed instanceof JsonObject o)) {
        problem(ctx, 400, "bad-request", "The body must be a JSON object");
        return null;
      }
      body = o;
    }
    List<SchemaCheck.FieldProblem> problems = schema.problems(body);
    if (!problems.isEmpty()) {
      invalid(ctx, problems);
      return null;
    }
    return body;
  }

  private static void invalid(RoutingContext ctx, String field, String reason) {
    invalid(ctx, List.of(new SchemaCheck.FieldProblem(field, reason)));
  }

  /** 422 naming each field: {@code problems} lists them as {@code field} and {@code reason}. */
  private static void invalid(RoutingContext ctx, List<SchemaCheck.FieldProblem> problems) {
    JsonArray list = new JsonArray();
    StringBuilder detail = new StringBuilder("The body does not validate: ");
    for (int i = 0; i < problems.size(); i++) {
      SchemaCheck.FieldProblem p = problems.get(i);
      String field = p.path().isEmpty() ? "(body)" : p.path();
      list.add(new JsonObject().put("field", field).put("reason", p.reason()));
      detail.append(i == 0 ? "" : "; ").append(field).append(": ").append(p.reason());
    }
    problem(
        ctx,
        422,
        "invalid-body",
        detail + "; nothing was changed",
        new JsonObject().put("problems", list));
  }

  /** A body of another media type than JSON is refused before it is read (415). */
  private static void jsonOnly(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || isJson(type)) {
      ctx.next();
      return;
    }
    problem(
        ctx,
        415,
        "unsupported-media-type",
        "Admin API bodies are JSON (Content-Type: application/json), not "
            + type.split(";")[0].strip());
  }

  private static boolean isJson(String contentType) {
    String media = contentType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
    return media.equals("application/json")
        || media.startsWith("application/") && media.endsWith("+json");
  }

  /**
   * What a route failed with: a body over the limit (413), another client error, or a bug (500,
   * logged).
   */
  private static void failed(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    int status = ctx.statusCode();
    if (status == 413) {
      problem(
          ctx,
          413,
          "payload-too-large",
          "The body is larger than " + MAX_BODY_BYTES / 1024 + " KiB, the admin API's limit");
    } else if (status >= 400 && status < 500 && ctx.failure() == null) {
      problem(ctx, status, "bad-request", "The request cannot be processed (" + status + ")");
    } else {
      log.error(
          "admin API: {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      problem(
          ctx,
          500,
          "internal",
          "The admin API failed on this request; the gateway's log has the details");
    }
  }

  static void json(RoutingContext ctx, int status, Object body) {
    String text =
        body instanceof JsonArray a ? a.encodePrettily() : ((JsonObject) body).encodePrettily();
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(text);
  }

  private static void problem(RoutingContext ctx, int status, String type, String detail) {
    problem(ctx, status, type, detail, new JsonObject());
  }

  /**
   * A problem+json answer; {@code extra} members (e.g. the list of problems) are added to the
   * standard ones. A request whose body was not read (refused before it) closes its connection, so
   * the unread body cannot be taken for the next request.
   */
  static void problem(
      RoutingContext ctx, int status, String type, String detail, JsonObject extra) {
    JsonObject body =
        new JsonObject()
            .put("type", TYPE_BASE + type)
            .put("title", title(status))
            .put("status", status)
            .put("detail", detail)
            .mergeIn(extra);
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    ProblemWriter.answer(
        ctx.request(), body, ProblemWriter.closes(ctx.request(), !ctx.request().isEnded()));
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 404 -> "Not found";
      case 409 -> "Conflict";
      case 413 -> "Content too large";
      case 415 -> "Unsupported media type";
      case 422 -> "Unprocessable content";
      case 503 -> "Registry unavailable";
      default -> "Internal error";
    };
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
