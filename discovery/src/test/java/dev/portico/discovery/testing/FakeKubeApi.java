package dev.portico.discovery.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A stand-in Kubernetes API server for the EndpointSlices of one namespace, speaking the real
 * protocol of LIST and WATCH over HTTPS: bearer token check (401 Status otherwise), LIST paged with
 * {@code limit}/{@code continue} and a list {@code resourceVersion}, WATCH from a resourceVersion
 * as chunked JSON lines {@code {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":...}}
 * (bookmarks only with {@code allowWatchBookmarks=true}), ended after {@code timeoutSeconds}, and
 * 410 Gone for a version older than the last compaction (an ERROR event with a Status, or an HTTP
 * 410, as chosen). Objects are selected by {@code labelSelector=kubernetes.io/service-name=...}.
 *
 * <p>Every change runs on the server's context; the test thread waits for it.
 */
public final class FakeKubeApi implements AutoCloseable {

  private static final String PREFIX = "/apis/discovery.k8s.io/v1/namespaces/";

  private final Vertx vertx;
  private final String namespace;
  private final Context context;
  private HttpServer server;
  private Path caFile;

  private long resourceVersion = 1000;
  private long compactedBelow;
  private final Map<String, JsonObject> slices = new TreeMap<>();

  /**
   * Every change as a watch event, with its version (a watch from version v replays the later
   * ones).
   */
  private final List<Change> history = new ArrayList<>();

  private final List<Watch> watches = new ArrayList<>();
  private volatile String token = "token-1";
  private volatile boolean goneAsHttpStatus;
  private volatile int pageSize = Integer.MAX_VALUE;

  /**
   * Requests seen, e.g. {@code LIST continue=-}, {@code WATCH rv=1003}, {@code REFUSED token=...}.
   */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  private record Change(long version, String type, JsonObject object) {}

  private record Watch(
      HttpServerResponse response, String service, boolean bookmarks, long timer) {}

  private FakeKubeApi(Vertx vertx, String namespace) {
    this.vertx = vertx;
    this.namespace = namespace;
    this.context = vertx.getOrCreateContext();
  }

  public static FakeKubeApi start(Vertx vertx, String namespace, Path dir) throws Exception {
    FakeKubeApi api = new FakeKubeApi(vertx, namespace);
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    api.caFile = dir.resolve("kube-ca.crt");
    Files.copy(Path.of(cert.certificatePath()), api.caFile);
    api.server =
        api.onContext(
            () ->
                vertx
                    .createHttpServer(
                        new HttpServerOptions()
                            .setSsl(true)
                            .setKeyCertOptions(
                                new PemKeyCertOptions()
                                    .setCertPath(cert.certificatePath())
                                    .setKeyPath(cert.privateKeyPath())))
                    .requestHandler(api::handle)
                    .listen(0, "127.0.0.1"));
    return api;
  }

  /** The base URL (the certificate is for {@code localhost}). */
  public String url() {
    return "https://localhost:" + server.actualPort();
  }

  /** The PEM file of the server's (self-signed) certificate: the CA a client must trust. */
  public Path caFile() {
    return caFile;
  }

  public String token() {
    return token;
  }

  /** From now on only {@code next} is accepted (a rotated service account token). */
  public void rotateToken(String next) {
    token = next;
  }

  /** Watches from a compacted version get an HTTP 410 instead of a 200 with an ERROR event. */
  public void goneAsHttpStatus(boolean asStatus) {
    goneAsHttpStatus = asStatus;
  }

  /**
   * LIST pages hold at most {@code size} items whatever the client's limit (servers may return
   * fewer).
   */
  public void pageSize(int size) {
    pageSize = size;
  }

  /**
   * Creates or replaces a slice (ADDED or MODIFIED to the watchers); returns its new
   * resourceVersion.
   */
  public long apply(JsonObject slice) {
    return onContext(
        () -> {
          JsonObject copy = slice.copy();
          String name = copy.getJsonObject("metadata").getString("name");
          String type = slices.containsKey(name) ? "MODIFIED" : "ADDED";
          copy.getJsonObject("metadata").put("resourceVersion", String.valueOf(++resourceVersion));
          slices.put(name, copy);
          record(type, copy);
          return Future.succeededFuture(resourceVersion);
        });
  }

  public long delete(String name) {
    return onContext(
        () -> {
          JsonObject gone = slices.remove(name);
          if (gone == null) {
            return Future.failedFuture("no slice " + name);
          }
          JsonObject copy = gone.copy();
          copy.getJsonObject("metadata").put("resourceVersion", String.valueOf(++resourceVersion));
          record("DELETED", copy);
          return Future.succeededFuture(resourceVersion);
        });
  }

  /**
   * Other objects of the cluster changed meanwhile (the version moves on), and a BOOKMARK tells the
   * watchers that asked for bookmarks where they are.
   */
  public long bookmark() {
    return onContext(
        () -> {
          resourceVersion += 7;
          for (Watch w : watches) {
            if (w.bookmarks()) {
              send(
                  w,
                  "BOOKMARK",
                  new JsonObject()
                      .put("kind", "EndpointSlice")
                      .put("apiVersion", "discovery.k8s.io/v1")
                      .put(
                          "metadata",
                          new JsonObject()
                              .put("resourceVersion", String.valueOf(resourceVersion))));
            }
          }
          return Future.succeededFuture(resourceVersion);
        });
  }

  /** Ends every open watch normally (as the server does after timeoutSeconds). */
  public void endWatches() {
    onContext(
        () -> {
          new ArrayList<>(watches).forEach(this::end);
          return Future.succeededFuture(0);
        });
  }

  /**
   * Compacts the history: versions up to now can no longer be watched from. Open watches get an
   * ERROR event with a 410 Status (Expired) and end, as after an etcd compaction.
   */
  public void expire() {
    compact(true);
  }

  /**
   * Compacts the history; with {@code tellWatchers} false the open watches go on as if nothing
   * happened.
   */
  public void compact(boolean tellWatchers) {
    onContext(
        () -> {
          compactedBelow = resourceVersion + 1;
          history.clear();
          resourceVersion += 3;
          for (Watch w : tellWatchers ? new ArrayList<>(watches) : List.<Watch>of()) {
            send(w, "ERROR", gone(w.service()));
            end(w);
          }
          return Future.succeededFuture(0);
        });
  }

  public int openWatches() {
    return onContext(() -> Future.succeededFuture(watches.size()));
  }

  @Override
  public void close() {
    onContext(
        () -> {
          new ArrayList<>(watches).forEach(this::end);
          return server.close().map(0);
        });
  }

  // --- the protocol -------------------------------------------------------------------------

  private void handle(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (!("Bearer " + token).equals(auth)) {
      requests.add(
          "REFUSED " + (auth == null ? "no token" : auth.substring(auth.indexOf(' ') + 1)));
      status(req.response(), 401, "Unauthorized", "Unauthorized");
      return;
    }
    String path = req.path();
    if (!path.equals(PREFIX + namespace + "/endpointslices")) {
      requests.add("NOT FOUND " + path);
      status(req.response(), 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    String selector = req.getParam("labelSelector", "");
    if (!selector.startsWith("kubernetes.io/service-name=")) {
      status(
          req.response(),
          400,
          "BadRequest",
          "this stand-in selects by kubernetes.io/service-name only");
      return;
    }
    String service = selector.substring("kubernetes.io/service-name=".length());
    if ("true".equals(req.getParam("watch"))) {
      watch(req, service);
    } else {
      list(req, service);
    }
  }

  private void list(HttpServerRequest req, String service) {
    int limit = Math.min(pageSize, Integer.parseInt(req.getParam("limit", "500")));
    String cont = req.getParam("continue");
    requests.add("LIST continue=" + (cont == null ? "-" : cont));
    int from = 0;
    long listVersion = resourceVersion;
    if (cont != null) {
      String[] parts = cont.split(":");
      listVersion = Long.parseLong(parts[0]);
      from = Integer.parseInt(parts[1]);
      if (listVersion < compactedBelow) {
        status(
            req.response(),
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result.");
        return;
      }
    }
    List<JsonObject> selected = selected(service);
    JsonArray items = new JsonArray();
    for (int i = from; i < Math.min(selected.size(), from + limit); i++) {
      items.add(selected.get(i));
    }
    JsonObject metadata = new JsonObject().put("resourceVersion", String.valueOf(listVersion));
    if (from + limit < selected.size()) {
      metadata.put("continue", listVersion + ":" + (from + limit));
    }
    req.response()
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("kind", "EndpointSliceList")
                .put("apiVersion", "discovery.k8s.io/v1")
                .put("metadata", metadata)
                .put("items", items)
                .encode());
  }

  private void watch(HttpServerRequest req, String service) {
    long from = Long.parseLong(req.getParam("resourceVersion", "0"));
    boolean bookmarks = "true".equals(req.getParam("allowWatchBookmarks"));
    long timeout = Long.parseLong(req.getParam("timeoutSeconds", "1800"));
    requests.add("WATCH rv=" + from);
    HttpServerResponse resp = req.response();
    if (from < compactedBelow) {
      if (goneAsHttpStatus) {
        status(
            resp,
            410,
            "Expired",
            "too old resource version: " + from + " (" + compactedBelow + ")");
        return;
      }
      resp.setChunked(true).putHeader("Content-Type", "application/json");
      resp.write(event("ERROR", gone(service)));
      resp.end();
      return;
    }
    resp.setChunked(true).putHeader("Content-Type", "application/json");
    resp.writeHead();
    long timer =
        vertx.setTimer(
            timeout * 1000,
            t ->
                watches.stream()
                    .filter(w -> w.response() == resp)
                    .findFirst()
                    .ifPresent(this::end));
    Watch w = new Watch(resp, service, bookmarks, timer);
    watches.add(w);
    resp.closeHandler(
        v -> {
          watches.remove(w);
          vertx.cancelTimer(timer);
        });
    for (Change c : history) {
      if (c.version() > from && service(c.object()).equals(service)) {
        send(w, c.type(), c.object());
      }
    }
  }

  private void record(String type, JsonObject object) {
    history.add(new Change(resourceVersion, type, object));
    for (Watch w : watches) {
      if (service(object).equals(w.service())) {
        send(w, type, object);
      }
    }
  }

  private void send(Watch w, String type, JsonObject object) {
    w.response().write(event(type, object));
  }

  private void end(Watch w) {
    watches.remove(w);
    vertx.cancelTimer(w.timer());
    if (!w.response().ended()) {
      w.response().end();
    }
  }

  private static String event(String type, JsonObject object) {
    return new JsonObject().put("type", type).put("object", object).encode() + "\n";
  }

  private JsonObject gone(String service) {
    return new JsonObject()
        .put("kind", "Status")
        .put("apiVersion", "v1")
        .put("metadata", new JsonObject())
        .put("status", "Failure")
        .put(
            "message",
            "too old resource version: " + (compactedBelow - 1) + " (" + resourceVersion + ")")
        .put("reason", "Expired")
        .put("code", 410);
  }

  private List<JsonObject> selected(String service) {
    return slices.values().stream().filter(s -> service(s).equals(service)).toList();
  }

  private static String service(JsonObject slice) {
    return slice
        .getJsonObject("metadata")
        .getJsonObject("labels", new JsonObject())
        .getString("kubernetes.io/service-name", "");
  }

  private static void status(HttpServerResponse resp, int code, String reason, String message) {
    resp.setStatusCode(code)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code)
                .encode());
  }

  private <T> T onContext(Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future().await();
  }
}
