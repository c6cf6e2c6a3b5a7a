package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.address;
import static dev.portico.gateway.support.FabricRecords.addresses;
import static dev.portico.gateway.support.FabricRecords.awaitIndexed;
import static dev.portico.gateway.support.FabricRecords.guid;
import static dev.portico.gateway.support.FabricRecords.int64;
import static dev.portico.gateway.support.FabricRecords.publish;
import static dev.portico.gateway.support.FabricRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Resolutions;
import dev.portico.gateway.support.Switchable;
import dev.portico.metrics.FabricResolution;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Service Fabric backends end to end over loopback: requests routed by partition key (Int64Range,
 * Named, Singleton), replica type, listener, key sources; each resolution failure as problem+json.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceFabricRoutingTest {

  Vertx vertx;
  WebClient web;
  GatewayVerticle gw;
  Resolutions observed = new Resolutions();

  static final String ORDERS = "fabric:/Shop/Orders";
  static final String LEDGER = "fabric:/Shop/Ledger";
  static final String WEB = "fabric:/Shop/Web";

  /** A replica: JSON naming itself, echoing path and query. */
  Switchable replica(String name) {
    return Switchable.start(
        vertx,
        name,
        req ->
            req.body()
                .onSuccess(
                    b ->
                        req.response()
                            .putHeader("content-type", "application/json")
                            .end(
                                new JsonObject()
                                    .put("name", name)
                                    .put("path", req.path())
                                    .put("query", req.query())
                                    .put("bodyBytes", b.length())
                                    .encode())));
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      backends:
        - { id: orders, url: "fabric:/Shop/Orders" }
        - { id: ledger, url: "fabric:/Shop/Ledger", serviceFabricCluster: { maxPartitionResolutionRetries: 1 } }
        - { id: web, url: "fabric:/Shop/Web" }
        - { id: plain, url: "http://127.0.0.1:9" }
      apis:
        - id: orders
          path: /orders
          backend: orders
          operations:
            - method: GET
              path: /{id}
              set-backend-service: { sf-partition-key: "{id}" }
            - method: GET
              path: /{id}/replica
              set-backend-service: { sf-partition-key: "{id}", sf-replica-type: secondary }
            - method: GET
              path: /{id}/admin/*
              set-backend-service: { sf-partition-key: "{id}", sf-listener-name: admin }
            - method: GET
              path: /{id}/nolistener
              set-backend-service: { sf-partition-key: "{id}", sf-listener-name: nope }
            - method: GET
              path: /by-header/*
              set-backend-service: { sf-partition-key: "header:X-Customer" }
            - method: GET
              path: /by-query
              set-backend-service: { sf-partition-key: "query:customer" }
            - method: GET
              path: /keyless
            - method: GET
              path: /ghost/{id}
              set-backend-service: { sf-partition-key: "{id}", sf-service-instance-name: "fabric:/Shop/Nope" }
            - method: GET
              path: /plain
              backend: plain
        - id: ledger
          path: /ledger
          backend: ledger
          set-backend-service: { sf-partition-key: "segment:0" }
        - id: web
          path: /web
          set-backend-service: { backend-id: web, sf-replica-type: secondary }
      """,
                Map.of()),
            2,
            observed);
    vertx.deployVerticle(gw).await();
  }

  @Test
  void requestsGoToThePartitionOwningTheKeyAndToTheReplicaTypeAskedFor() {
    List<PartitionInfo> parts = int64(0, 299, 3, 10);
    for (int p = 0; p < 3; p++) {
      PartitionInfo info = parts.get(p);
      Switchable primary = replica("p" + p + "-primary");
      publish(
          gw,
          record(
              ORDERS,
              ServiceKind.STATEFUL,
              info,
              ReplicaRole.STATEFUL_PRIMARY,
              "r" + p + "1",
              p == 0
                  ? addresses(Map.of("", primary.url(), "admin", primary.url() + "/admin/"))
                  : address(primary.url()),
              1));
      if (p < 2) { // the last partition has no secondary
        Switchable secondary = replica("p" + p + "-secondary");
        publish(
            gw,
            record(
                ORDERS,
                ServiceKind.STATEFUL,
                info,
                ReplicaRole.STATEFUL_SECONDARY,
                "r" + p + "2",
                address(secondary.url()),
                1));
      }
    }
    awaitIndexed(gw, ORDERS, 5);

    assertThat(name(get("/orders/0"))).isEqualTo("p0-primary");
    assertThat(name(get("/orders/99"))).isEqualTo("p0-primary");
    assertThat(name(get("/orders/100"))).isEqualTo("p1-primary");
    assertThat(name(get("/orders/199"))).isEqualTo("p1-primary");
    assertThat(name(get("/orders/200"))).isEqualTo("p2-primary");
    assertThat(name(get("/orders/299"))).isEqualTo("p2-primary");
    assertThat(get("/orders/150").bodyAsJsonObject().getString("path")).isEqualTo("/150");
    assertThat(name(get("/orders/150/replica"))).isEqualTo("p1-secondary");
    // the listener asked for: its address carries a base path
    HttpResponse<Buffer> admin = get("/orders/7/admin/stats?x=1");
    assertThat(name(admin)).isEqualTo("p0-primary");
    assertThat(admin.bodyAsJsonObject().getString("path")).isEqualTo("/admin/7/admin/stats");
    assertThat(admin.bodyAsJsonObject().getString("query")).isEqualTo("x=1");
    // key sources
    assertThat(
            name(
                web.get(gw.trafficPort(), "127.0.0.1", "/orders/by-header/x")
                    .putHeader("X-Customer", "250")
                    .send()
                    .await()))
        .isEqualTo("p2-primary");
    assertThat(name(get("/orders/by-query?customer=120"))).isEqualTo("p1-primary");
    // a plain backend in the same API still works (and is not resolved)
    assertThat(get("/orders/plain").statusCode()).isEqualTo(502);

    assertThat(observed.count(FabricResolution.OK)).isGreaterThanOrEqualTo(11);
    assertThat(observed.resolutions).allSatisfy(r -> assertThat(r.service()).isEqualTo(ORDERS));
  }

  @Test
  void namedAndSingletonServicesResolveToo() {
    String[] names = {"eu", "us"};
    for (int i = 0; i < 2; i++) {
      Switchable primary = replica("ledger-" + names[i]);
      publish(
          gw,
          record(
              LEDGER,
              ServiceKind.STATEFUL,
              new PartitionInfo.Named(guid(40 + i), names[i]),
              ReplicaRole.STATEFUL_PRIMARY,
              "l" + i,
              address(primary.url()),
              1));
    }
    Switchable a = replica("web-a");
    Switchable b = replica("web-b");
    PartitionInfo singleton = new PartitionInfo.Singleton(guid(50));
    publish(
        gw,
        record(
            WEB,
            ServiceKind.STATELESS,
            singleton,
            ReplicaRole.STATELESS,
            "w1",
            address(a.url() + "/site"),
            1));
    publish(
        gw,
        record(
            WEB,
            ServiceKind.STATELESS,
            singleton,
            ReplicaRole.STATELESS,
            "w2",
            address(b.url() + "/site"),
            1));
    awaitIndexed(gw, LEDGER, 2);
    awaitIndexed(gw, WEB, 2);

    assertThat(name(get("/ledger/eu/accounts"))).isEqualTo("ledger-eu");
    assertThat(get("/ledger/us/accounts").bodyAsJsonObject().getString("path"))
        .isEqualTo("/us/accounts");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> r = get("/web/index.html");
      assertThat(r.bodyAsJsonObject().getString("path")).isEqualTo("/site/index.html");
      seen.add(name(r));
    }
    // sf-replica-type applies to stateful services only, as in APIM
    assertThat(seen).containsExactlyInAnyOrder("web-a", "web-b");
  }

  @Test
  void everyResolutionFailureIsAProblemWithTheResolversStatus() {
    List<PartitionInfo> parts = int64(0, 299, 3, 10);
    Switchable primary = replica("p2-primary");
    publish(
        gw,
        record(
            ORDERS,
            ServiceKind.STATEFUL,
            parts.get(2),
            ReplicaRole.STATEFUL_PRIMARY,
            "r21",
            address(primary.url()),
            1));
    Switchable first = replica("p0-primary");
    publish(
        gw,
        record(
            ORDERS,
            ServiceKind.STATEFUL,
            parts.get(0),
            ReplicaRole.STATEFUL_PRIMARY,
            "r01",
            address(first.url()),
            1));
    Switchable eu = replica("ledger-eu");
    publish(
        gw,
        record(
            LEDGER,
            ServiceKind.STATEFUL,
            new PartitionInfo.Named(guid(40), "eu"),
            ReplicaRole.STATEFUL_PRIMARY,
            "l0",
            address(eu.url()),
            1));
    awaitIndexed(gw, ORDERS, 2);
    awaitIndexed(gw, LEDGER, 1);

    problem(
        get("/orders/abc"),
        400,
        "FABRIC_E_INVALID_PARTITION_KEY",
        ORDERS,
        "\"abc\" is not a 64-bit integer");
    problem(get("/orders/300"), 400, "FABRIC_E_INVALID_PARTITION_KEY", ORDERS, "300");
    problem(
        get("/orders/by-header/x"),
        400,
        "FABRIC_E_INVALID_PARTITION_KEY",
        ORDERS,
        "no X-Customer header");
    problem(get("/orders/keyless"), 400, "FABRIC_E_INVALID_PARTITION_KEY", ORDERS, "needs a key");
    problem(
        get("/orders/ghost/5"),
        404,
        "FABRIC_E_SERVICE_DOES_NOT_EXIST",
        "fabric:/Shop/Nope",
        "\"5\"");
    problem(get("/ledger/asia/x"), 400, "FABRIC_E_INVALID_PARTITION_KEY", LEDGER, "asia");
    // partition 1 (between two registered ones) has no records at all; partition 2 has no
    // secondary;
    // nobody offers listener "nope"
    problem(get("/orders/150"), 503, "FABRIC_E_SERVICE_OFFLINE", ORDERS, "150");
    problem(
        get("/orders/250/replica"),
        503,
        "FABRIC_E_SERVICE_OFFLINE",
        ORDERS,
        "no UP secondary replica");
    problem(get("/orders/250/nolistener"), 503, "PORTICO_LISTENER_UNAVAILABLE", ORDERS, "nope");
    assertThat(observed.count(FabricResolution.BAD_KEY)).isEqualTo(5);
    assertThat(observed.count(FabricResolution.NOT_FOUND)).isEqualTo(1);
    assertThat(observed.count(FabricResolution.NO_REPLICA)).isEqualTo(3);
    assertThat(primary.served() + first.served()).isZero();
  }

  HttpResponse<Buffer> get(String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  static String name(HttpResponse<Buffer> r) {
    return r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("name")
        : "status " + r.statusCode() + " " + r.bodyAsString();
  }

  static void problem(
      HttpResponse<Buffer> r, int status, String code, String service, String detailPart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getString("reason")).isEqualTo("PartitionResolutionFailure");
    assertThat(p.getInteger("status")).isEqualTo(status);
    assertThat(p.getString("detail")).contains(service).contains(detailPart);
    if (code != null) {
      assertThat(p.getString("errorCode")).isEqualTo(code);
    }
    assertThat(p.getString("type"))
        .isEqualTo("https://portico.dev/problems/partition-resolution-failure");
  }
}
