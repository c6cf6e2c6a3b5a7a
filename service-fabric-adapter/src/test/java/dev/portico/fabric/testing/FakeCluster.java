package dev.portico.fabric.testing;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.rest.FabricError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Service Fabric HTTP management endpoint serving the documented JSON shapes from an in-memory
 * cluster that tests change between cycles. Lists are paged ({@link #pageSize} items per page). It
 * scales to clusters of tens of thousands of partitions ({@link #uniform}); the bench runs it as
 * its own process ({@link FakeClusterServer}).
 */
public final class FakeCluster {

  public record Endpoint(String kind, String address) {}

  public static final class Partition {
    public final PartitionInfo info;
    public List<Endpoint> endpoints;
    public String version;
    public String resolveError; // a FabricError code to answer ResolvePartition with

    public Partition(PartitionInfo info, String version, Endpoint... endpoints) {
      this.info = info;
      this.version = version;
      this.endpoints = new ArrayList<>(List.of(endpoints));
    }
  }

  public static final class Service {
    public final FabricName name;
    public final String kind;
    public final List<Partition> partitions = new ArrayList<>();
    public boolean deleted; // still listed, but GetPartitions says it does not exist

    public Service(String name, String kind, Partition... partitions) {
      this.name = FabricName.parseService(name);
      this.kind = kind;
      this.partitions.addAll(List.of(partitions));
    }
  }

  public static final class App {
    public final FabricName name;
    public final List<Service> services = new ArrayList<>();
    public int servicesStatus; // non-zero: GetServices answers this status with a FabricError

    public App(String name, Service... services) {
      this.name = FabricName.parse(name);
      this.services.addAll(List.of(services));
    }
  }

  private static final Pattern SERVICES = Pattern.compile("/Applications/([^/]+)/\\$/GetServices");
  private static final Pattern PARTITIONS = Pattern.compile("/Services/([^/]+)/\\$/GetPartitions");
  private static final Pattern RESOLVE = Pattern.compile("/Services/([^/]+)/\\$/ResolvePartition");

  public final List<App> apps = new ArrayList<>();

  /** Every request URI, in order, while {@link #recordRequests} is on. */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  /** Off for big clusters: a copy-on-write list of every URI would cost more than the cluster. */
  public volatile boolean recordRequests = true;

  /** ResolvePartition calls answered, recorded or not. */
  public final AtomicLong resolveCalls = new AtomicLong();

  /**
   * ResolvePartition calls that carried a {@code PreviousRspVersion} (complaint-based
   * re-resolutions).
   */
  public final AtomicLong complaintResolves = new AtomicLong();

  public int pageSize = 2;
  public volatile int failStatus; // non-zero: every request answers this with an HTML body
  public boolean malformed; // /Applications answers 200 with something that is not JSON
  public boolean hang; // never answer
  private HttpServer server;

  public Future<Integer> listen(Vertx vertx, int port) {
    return listen(vertx, port, new HttpServerOptions());
  }

  /**
   * With {@code options}, e.g. TLS with a required client certificate, as secured clusters have.
   */
  public Future<Integer> listen(Vertx vertx, int port, HttpServerOptions options) {
    server = vertx.createHttpServer(options);
    return server
        .requestHandler(this::handle)
        .listen(port, "127.0.0.1")
        .map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public synchronized void change(Runnable change) {
    change.run();
  }

  public synchronized Partition partition(String id) {
    for (App a : apps) {
      for (Service s : a.services) {
        for (Partition p : s.partitions) {
          if (p.info.id().equals(id)) {
            return p;
          }
        }
      }
    }
    throw new IllegalArgumentException(id);
  }

  /**
   * An application with one stateful UniformInt64Range service of {@code partitions} partitions
   * over {@code [0, partitions * 1000 - 1]}, each with a primary and {@code replicas - 1}
   * secondaries whose addresses come from {@code address(partition index, replica index)} (replica
   * 0 is the primary). Partition ids are {@code guid(partition index)}.
   */
  public static App uniform(
      String app,
      String service,
      int partitions,
      int replicas,
      java.util.function.IntFunction<String> guid,
      java.util.function.BiFunction<Integer, Integer, String> address) {
    List<String> ids = new ArrayList<>(partitions);
    for (int i = 0; i < partitions; i++) {
      ids.add(guid.apply(i));
    }
    List<PartitionInfo> infos =
        new dev.portico.fabric.PartitionScheme.UniformInt64Range(
                0, partitions * 1000L - 1, partitions)
            .toPartitions(ids);
    Service s = new Service(service, "Stateful");
    for (int i = 0; i < partitions; i++) {
      Partition p = new Partition(infos.get(i), "1");
      for (int r = 0; r < replicas; r++) {
        p.endpoints.add(
            new Endpoint(r == 0 ? "StatefulPrimary" : "StatefulSecondary", address.apply(i, r)));
      }
      s.partitions.add(p);
    }
    return new App(app, s);
  }

  /**
   * A Reliable Services address with one default listener, slashes escaped as real replicas publish
   * them.
   */
  public static String reliableServicesAddress(String url) {
    return "{\"Endpoints\":{\"\":\"" + url.replace("/", "\\/") + "\"}}";
  }

  private synchronized void handle(HttpServerRequest req) {
    if (recordRequests) {
      requests.add(req.uri());
    }
    if (hang) {
      return;
    }
    if (failStatus != 0) {
      req.response()
          .setStatusCode(failStatus)
          .putHeader("content-type", "text/html")
          .end("<html><body>Service unavailable</body></html>");
      return;
    }
    String path = req.path();
    Matcher m;
    if (path.equals("/Applications")) {
      if (!"6.0".equals(req.getParam("api-version"))) {
        error(req, 400, "FABRIC_E_INVALID_ARGUMENT", "api-version");
      } else if (malformed) {
        req.response().end("{\"ContinuationToken\":\"\",\"Items\":[{\"Name\":");
      } else {
        page(
            req,
            apps,
            a ->
                new JsonObject()
                    .put("Id", a.name.toRestId())
                    .put("Name", a.name.toString())
                    .put("TypeName", a.name.lastSegment() + "Type")
                    .put("TypeVersion", "1.0.0")
                    .put("Status", "Ready")
                    .put("HealthState", "Ok")
                    .put(
                        "Parameters",
                        new JsonArray().add(new JsonObject().put("Key", "k").put("Value", "v"))));
      }
    } else if ((m = SERVICES.matcher(path)).matches()) {
      App app = app(FabricName.fromRestId(m.group(1)));
      if (app == null) {
        error(req, 404, FabricError.APPLICATION_NOT_FOUND, "Application not found");
      } else if (app.servicesStatus != 0) {
        error(req, app.servicesStatus, FabricError.NOT_READY, "Not ready");
      } else {
        page(
            req,
            app.services,
            s ->
                new JsonObject()
                    .put("Id", s.name.toRestId())
                    .put("ServiceKind", s.kind)
                    .put("Name", s.name.toString())
                    .put("TypeName", s.name.lastSegment() + "Type")
                    .put("ManifestVersion", "1.0.0")
                    .put("HealthState", "Ok")
                    .put("ServiceStatus", "Active")
                    .put("IsServiceGroup", false)
                    .put("HasPersistedState", s.kind.equals("Stateful")));
      }
    } else if ((m = PARTITIONS.matcher(path)).matches()) {
      Service s = service(FabricName.fromRestId(m.group(1)));
      if (!"6.4".equals(req.getParam("api-version"))) {
        error(req, 400, "FABRIC_E_INVALID_ARGUMENT", "api-version");
      } else if (s == null || s.deleted) {
        error(req, 404, FabricError.SERVICE_DOES_NOT_EXIST, "Service does not exist.");
      } else {
        page(
            req,
            s.partitions,
            p -> {
              JsonObject o =
                  new JsonObject()
                      .put("ServiceKind", s.kind)
                      .put("PartitionInformation", info(p.info))
                      .put("HealthState", "Ok")
                      .put("PartitionStatus", "Ready");
              return s.kind.equals("Stateful")
                  ? o.put("TargetReplicaSetSize", 3).put("MinReplicaSetSize", 2)
                  : o.put("InstanceCount", -1);
            });
      }
    } else if ((m = RESOLVE.matcher(path)).matches()) {
      resolve(req, service(FabricName.fromRestId(m.group(1))));
    } else {
      req.response().setStatusCode(404).end("no such path " + path);
    }
  }

  private void resolve(HttpServerRequest req, Service s) {
    if (s == null || s.deleted) {
      error(req, 404, FabricError.SERVICE_DOES_NOT_EXIST, "Service does not exist.");
      return;
    }
    resolveCalls.incrementAndGet();
    if (req.getParam("PreviousRspVersion") != null) {
      complaintResolves.incrementAndGet();
    }
    String type = req.getParam("PartitionKeyType");
    String value = req.getParam("PartitionKeyValue");
    long int64 = "2".equals(type) && value != null ? Long.parseLong(value) : 0;
    for (Partition p : s.partitions) {
      boolean hit;
      if (p.info instanceof PartitionInfo.Int64Range) {
        hit =
            "2".equals(type)
                && value != null
                && ((PartitionInfo.Int64Range) p.info).contains(int64);
      } else if (p.info instanceof PartitionInfo.Named) {
        hit = "3".equals(type) && ((PartitionInfo.Named) p.info).name().equals(value);
      } else {
        hit = "1".equals(type) && value == null;
      }
      if (!hit) {
        continue;
      }
      if (p.resolveError != null) {
        error(
            req,
            FabricError.httpStatusOf(p.resolveError),
            p.resolveError,
            "Partition is unavailable");
        return;
      }
      JsonArray endpoints = new JsonArray();
      for (Endpoint e : p.endpoints) {
        endpoints.add(new JsonObject().put("Kind", e.kind()).put("Address", e.address()));
      }
      req.response()
          .putHeader("content-type", "application/json; charset=utf-8")
          .end(
              new JsonObject()
                  .put("Name", s.name.toString())
                  .put("PartitionInformation", info(p.info))
                  .put("Endpoints", endpoints)
                  .put("Version", p.version)
                  .encode());
      return;
    }
    error(req, 400, FabricError.INVALID_PARTITION_KEY, "Invalid partition key");
  }

  private <T> void page(HttpServerRequest req, List<T> items, Function<T, JsonObject> json) {
    String token = req.getParam("ContinuationToken");
    int from =
        token == null ? 0 : Integer.parseInt(token.substring("next+".length(), token.indexOf('/')));
    int to = Math.min(items.size(), from + pageSize);
    JsonArray page = new JsonArray();
    for (T item : items.subList(from, to)) {
      page.add(json.apply(item));
    }
    // tokens with characters that must be escaped in a query, as real ones can be
    String next = to < items.size() ? "next+" + to + "/a b" : "";
    req.response()
        .putHeader("content-type", "application/json; charset=utf-8")
        .end(new JsonObject().put("ContinuationToken", next).put("Items", page).encode());
  }

  private static void error(HttpServerRequest req, int status, String code, String message) {
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json; charset=utf-8")
        .end(
            new JsonObject()
                .put("Error", new JsonObject().put("Code", code).put("Message", message))
                .encode());
  }

  private static JsonObject info(PartitionInfo p) {
    JsonObject o =
        new JsonObject().put("ServicePartitionKind", p.kind().restName()).put("Id", p.id());
    if (p instanceof PartitionInfo.Int64Range) {
      o.put("LowKey", Long.toString(((PartitionInfo.Int64Range) p).low()))
          .put("HighKey", Long.toString(((PartitionInfo.Int64Range) p).high()));
    } else if (p instanceof PartitionInfo.Named) {
      o.put("Name", ((PartitionInfo.Named) p).name());
    }
    return o;
  }

  private App app(FabricName name) {
    for (App a : apps) {
      if (a.name.equals(name)) {
        return a;
      }
    }
    return null;
  }

  private Service service(FabricName name) {
    for (App a : apps) {
      for (Service s : a.services) {
        if (s.name.equals(name)) {
          return s;
        }
      }
    }
    return null;
  }
}
