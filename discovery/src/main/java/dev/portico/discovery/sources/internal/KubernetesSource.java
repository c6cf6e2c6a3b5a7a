package dev.portico.discovery.sources.internal;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.sources.KubernetesOptions;
import dev.portico.discovery.sources.RegistrySource;
import dev.portico.discovery.sources.SourceOptions;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.discovery.sources.SourceStatus;
import dev.portico.discovery.sources.internal.EndpointSlices.Contribution;
import dev.portico.discovery.sources.internal.EndpointSlices.SliceEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EndpointSlices of one Kubernetes Service, kept in the registry the way client-go's informers
 * keep a cache: LIST (paged) for the state and its resourceVersion, then WATCH from that version; a
 * watch that ends is resumed from the last version seen (events and bookmarks move it); a 410 Gone
 * (the version was compacted away) lists again; failures retry with a jittered exponential backoff
 * while the last known instances stay published.
 *
 * <p>Endpoint conditions: ready endpoints are UP; terminating ones are OUT_OF_SERVICE (they drain:
 * requests in flight finish, no new ones are sent) until they leave the slice; others are DOWN.
 */
public final class KubernetesSource implements RegistrySource {

  private static final Logger log = LoggerFactory.getLogger(KubernetesSource.class);

  /**
   * The view is written again this often even without events: repairs a shared registry that lost
   * records.
   */
  static final Duration RESYNC = Duration.ofSeconds(30);

  static final Duration BACKOFF_MIN = Duration.ofMillis(500);
  static final Duration BACKOFF_MAX = Duration.ofSeconds(30);

  /** One watch event line may hold a slice of 1000 endpoints; anything far beyond is not one. */
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final Vertx vertx;
  private final KubernetesOptions options;
  private final SourceSync sync;

  private Context context;
  private KubeApi api;
  private boolean stopped;
  private long retryTimer = -1;
  private long resyncTimer = -1;
  private int failures;

  /** Incremented for each LIST or WATCH started: callbacks of an abandoned one are ignored. */
  private long generation;

  private HttpClientRequest watchRequest;

  /** Slices by name, as last listed or watched; null before the first LIST completed. */
  private Map<String, JsonObject> slices;

  private final Map<String, String> sliceProblems = new HashMap<>();

  private volatile String resourceVersion;
  private volatile String state = "starting";
  private volatile boolean synced;
  private volatile Instant lastSync;
  private volatile int instances;

  /** The last failure to read the API server, null once a LIST or an event came through. */
  private volatile String readError;

  /** The last failure to write the registry, null once a write went through. */
  private volatile String writeError;

  private volatile int lists;
  private volatile int watches;

  public KubernetesSource(Vertx vertx, Registry registry, KubernetesOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.sync = new SourceSync(registry, options.id());
  }

  @Override
  public SourceOptions options() {
    return options;
  }

  @Override
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    api = new KubeApi(vertx, options);
    log.info(
        "registry source {}: EndpointSlices of Service {}/{} (port {}) from {} for service '{}'",
        options.id(),
        options.namespace(),
        options.name(),
        options.portName() == null ? "(the only one)" : options.portName(),
        api.describe(),
        options.service());
    context.runOnContext(
        v -> {
          list();
          resyncTimer =
              vertx.setPeriodic(
                  RESYNC.toMillis(),
                  t -> {
                    if (slices != null) {
                      publish();
                    }
                  });
        });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop(boolean unpublish) {
    Future<Void> halted =
        Future.future(
            p ->
                context.runOnContext(
                    v -> {
                      stopped = true;
                      generation++;
                      vertx.cancelTimer(retryTimer);
                      vertx.cancelTimer(resyncTimer);
                      if (watchRequest != null) {
                        watchRequest.reset();
                      }
                      p.complete();
                    }));
    return halted
        .compose(
            v ->
                unpublish
                    ? sync.apply(List.of()).<Void>mapEmpty().recover(e -> Future.succeededFuture())
                    : Future.<Void>succeededFuture())
        .eventually(() -> api == null ? Future.succeededFuture() : api.close());
  }

  @Override
  public SourceStatus status() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("apiServer", options.apiServer());
    details.put("namespace", options.namespace());
    details.put("kubernetesService", options.name());
    details.put("port", options.portName());
    details.put("state", state);
    details.put("resourceVersion", resourceVersion);
    details.put("lists", lists);
    details.put("watches", watches);
    return new SourceStatus(
        options.id(),
        options.type(),
        options.service(),
        synced,
        lastSync,
        instances,
        readError != null ? readError : writeError,
        details);
  }

  // --- LIST -----------------------------------------------------------------------------------

  private void list() {
    if (stopped) {
      return;
    }
    long gen = ++generation;
    state = "listing";
    lists++;
    Map<String, JsonObject> read = new TreeMap<>();
    Promise<String> done = Promise.promise();
    page(null, read, done);
    done.future()
        .onComplete(
            ar -> {
              if (gen != generation) {
                return;
              }
              if (ar.failed()) {
                fail("LIST failed", ar.cause(), this::list);
                return;
              }
              slices = read;
              resourceVersion = ar.result();
              readError = null;
              publish();
              watch();
            });
  }

  private void page(String continueToken, Map<String, JsonObject> read, Promise<String> done) {
    api.list(continueToken)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
                return;
              }
              JsonObject list = ar.result();
              JsonArray items = list.getJsonArray("items", new JsonArray());
              for (int i = 0; i < items.size(); i++) {
                JsonObject slice = items.getJsonObject(i);
                String name = EndpointSlices.name(slice);
                if (name != null) {
                  read.put(name, slice);
                }
              }
              JsonObject metadata = list.getJsonObject("metadata", new JsonObject());
              String next = metadata.getString("continue");
              if (next != null && !next.isEmpty()) {
                page(next, read, done);
              } else {
                String rv = metadata.getString("resourceVersion");
                if (rv == null) {
                  done.fail(
                      new IllegalStateException("the LIST answer has no metadata.resourceVersion"));
                } else {
                  done.complete(rv);
                }
              }
            });
  }

  // --- WATCH ----------------------------------------------------------------------------------

  private void watch() {
    if (stopped) {
      return;
    }
    long gen = ++generation;
    state = "watching from resourceVersion " + resourceVersion;
    watches++;
    long started = System.nanoTime();
    boolean[] heard = {false};
    api.watch(resourceVersion)
        .onComplete(
            ar -> {
              if (gen != generation) {
                if (ar.succeeded()) {
                  ar.result().reset();
                }
                return;
              }
              if (ar.failed()) {
                fail("WATCH failed", ar.cause(), this::watch);
                return;
              }
              watchRequest = ar.result();
              watchRequest.exceptionHandler(e -> watchEnded(gen, started, heard[0], e));
              watchRequest
                  .send()
                  .onComplete(
                      sent -> {
                        if (gen != generation) {
                          return;
                        }
                        if (sent.failed()) {
                          watchEnded(gen, started, heard[0], sent.cause());
                          return;
                        }
                        HttpClientResponse resp = sent.result();
                        if (resp.statusCode() != 200) {
                          resp.body()
                              .onComplete(
                                  body -> {
                                    if (gen != generation) {
                                      return;
                                    }
                                    KubeApi.ApiError error =
                                        new KubeApi.ApiError(
                                            resp.statusCode(),
                                            body.succeeded()
                                                ? KubeApi.statusMessage(body.result().toString())
                                                : null);
                                    if (resp.statusCode() == 410) {
                                      expired(error.getMessage());
                                    } else {
                                      fail("WATCH refused", error, this::watch);
                                    }
                                  });
                          return;
                        }
                        RecordParser lines =
                            RecordParser.newDelimited("\n", resp).maxRecordSize(MAX_EVENT_BYTES);
                        lines.handler(
                            line -> {
                              if (gen == generation) {
                                heard[0] = true;
                                event(gen, line);
                              }
                            });
                        lines.exceptionHandler(e -> watchEnded(gen, started, heard[0], e));
                        lines.endHandler(v -> watchEnded(gen, started, heard[0], null));
                      });
            });
  }

  private void event(long gen, Buffer line) {
    if (line.length() == 0 || (line.length() == 1 && line.getByte(0) == '\r')) {
      return;
    }
    JsonObject event;
    try {
      event = line.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      abandon(gen);
      fail("WATCH sent a line that is no JSON event", e, this::watch);
      return;
    }
    String type = event.getString("type", "");
    if (!"ERROR".equals(type)) {
      readError = null;
    }
    JsonObject object = event.getJsonObject("object", new JsonObject());
    String rv = EndpointSlices.resourceVersion(object);
    switch (type) {
      case "ADDED", "MODIFIED" -> {
        String name = EndpointSlices.name(object);
        if (name != null) {
          slices.put(name, object);
        }
        resourceVersion = rv == null ? resourceVersion : rv;
        publish();
      }
      case "DELETED" -> {
        String name = EndpointSlices.name(object);
        if (name != null) {
          slices.remove(name);
          sliceProblems.remove(name);
        }
        resourceVersion = rv == null ? resourceVersion : rv;
        publish();
      }
      case "BOOKMARK" -> resourceVersion = rv == null ? resourceVersion : rv;
      case "ERROR" -> {
        abandon(gen);
        int code = object.getInteger("code", 0);
        String message = object.getString("reason", "") + ": " + object.getString("message", "");
        if (code == 410) {
          expired(message);
        } else {
          fail("WATCH ERROR event", new KubeApi.ApiError(code, message), this::watch);
        }
      }
      default ->
          log.debug("registry source {}: ignoring watch event type '{}'", options.id(), type);
    }
  }

  /**
   * The watch ended (the server's timeoutSeconds, a proxy, a broken connection): resume from the
   * version seen.
   */
  private void watchEnded(long gen, long started, boolean heard, Throwable error) {
    if (gen != generation || stopped) {
      return;
    }
    abandon(gen);
    if (error != null) {
      fail("WATCH broke off", error, this::watch);
    } else if (!heard && System.nanoTime() - started < 1_000_000_000L) {
      // ended at once without a word: do not spin on a server or proxy that closes every watch
      fail(
          "WATCH ended at once",
          new IllegalStateException("the API server closed the watch without an event"),
          this::watch);
    } else {
      failures = 0;
      watch();
    }
  }

  /**
   * The resourceVersion is too old to watch from (410 Gone): list again, keeping the records until
   * the new list.
   */
  private void expired(String message) {
    log.info(
        "registry source {}: resourceVersion {} expired ({}); listing again",
        options.id(),
        resourceVersion,
        message);
    generation++;
    list();
  }

  private void abandon(long gen) {
    if (gen == generation) {
      generation++;
    }
    if (watchRequest != null) {
      watchRequest.reset();
      watchRequest = null;
    }
  }

  private void fail(String what, Throwable e, Runnable retry) {
    if (stopped) {
      return;
    }
    failures++;
    long base =
        Math.min(BACKOFF_MAX.toMillis(), BACKOFF_MIN.toMillis() << Math.min(failures - 1, 16));
    // jitter: a fleet of gateways does not come back to the API server in step
    long delay =
        Math.max(1, (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
    String error = what + ": " + describe(e);
    if (!error.equals(readError)) {
      log.warn(
          "registry source {}: {}; retrying in {} ms, the last known {} instances stay published",
          options.id(),
          error,
          delay,
          instances);
    }
    readError = error;
    state = "retrying (" + what + ")";
    generation++;
    retryTimer = vertx.setTimer(delay, t -> retry.run());
  }

  // --- the view -------------------------------------------------------------------------------

  private void publish() {
    List<InstanceSpec> view = view();
    sync.apply(view)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                if (!synced || ar.result() != instances) {
                  log.info(
                      "registry source {}: {} instances of '{}' from {} slices (resourceVersion {})",
                      options.id(),
                      ar.result(),
                      options.service(),
                      slices.size(),
                      resourceVersion);
                }
                instances = ar.result();
                lastSync = Instant.now();
                synced = true;
                writeError = null;
              } else {
                String error = "registry write failed: " + describe(ar.cause());
                if (!error.equals(writeError)) {
                  log.warn(
                      "registry source {}: {}; retried at the next event or within {}",
                      options.id(),
                      error,
                      RESYNC);
                }
                writeError = error;
              }
            });
  }

  private List<InstanceSpec> view() {
    Map<String, SliceEndpoint> byEndpoint = new LinkedHashMap<>();
    for (Map.Entry<String, JsonObject> e : slices.entrySet()) {
      Contribution c = EndpointSlices.read(e.getValue(), options.addressType(), options.portName());
      String previous =
          c.problem() == null
              ? sliceProblems.remove(e.getKey())
              : sliceProblems.put(e.getKey(), c.problem());
      if (c.problem() != null && !c.problem().equals(previous)) {
        log.warn("registry source {}: EndpointSlice {} {}", options.id(), e.getKey(), c.problem());
      }
      for (SliceEndpoint se : c.endpoints()) {
        String key = se.address() + ":" + se.port();
        SliceEndpoint seen = byEndpoint.get(key);
        // an endpoint moving between slices may sit in both for a moment: the ready copy wins
        if (seen == null
            || (seen.status() != InstanceStatus.UP && se.status() == InstanceStatus.UP)) {
          byEndpoint.put(key, se);
        }
      }
    }
    List<InstanceSpec> view = new ArrayList<>();
    for (SliceEndpoint se : byEndpoint.values()) {
      Map<String, String> metadata = new HashMap<>();
      metadata.put(SourceRecords.SOURCE, options.id());
      metadata.put(SourceRecords.SOURCE_TYPE, options.type());
      metadata.put("k8s.namespace", options.namespace());
      metadata.put("k8s.service", options.name());
      metadata.put("k8s.ready", String.valueOf(se.ready()));
      metadata.put("k8s.serving", String.valueOf(se.serving()));
      metadata.put("k8s.terminating", String.valueOf(se.terminating()));
      putIfPresent(metadata, "zone", se.zone());
      putIfPresent(metadata, "k8s.node", se.nodeName());
      putIfPresent(metadata, "k8s.pod", se.pod());
      putIfPresent(metadata, "k8s.hostname", se.hostname());
      String host =
          "FQDN".equals(options.addressType())
              ? se.address().toLowerCase(Locale.ROOT)
              : se.address();
      view.add(
          new InstanceSpec(
              options.service(), host, se.port(), options.ssl(), "", se.status(), metadata));
    }
    return view;
  }

  private static void putIfPresent(Map<String, String> m, String key, String value) {
    if (value != null && !value.isEmpty()) {
      m.put(key, value);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e instanceof KubeApi.ApiError
        ? m
        : e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
