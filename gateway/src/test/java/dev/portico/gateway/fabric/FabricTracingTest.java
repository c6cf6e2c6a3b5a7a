package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.guid;
import static dev.portico.gateway.support.FabricRecords.int64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.testing.FakeCluster;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OtlpReceiver;
import dev.portico.gateway.support.OtlpReceiver.Received;
import dev.portico.gateway.support.Switchable;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spans of a Service Fabric request whose first replica is stale: against a simulated cluster
 * (real REST shapes) and real replicas on loopback, exported to a real OTLP receiver. The failed
 * attempt, the complaint-driven re-resolution and the resend to the new primary are all in one
 * trace, with the partition and replica role on each attempt.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FabricTracingTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  Vertx vertx;
  WebClient web;
  FakeCluster cluster;
  OtlpReceiver receiver;
  int port;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    cluster = new FakeCluster();
    port = cluster.listen(vertx, 0).await();
    receiver = OtlpReceiver.start(vertx);
  }

  @AfterEach
  void tearDown() {
    cluster.close().await();
    receiver.close();
  }

  @Test
  void aComplaintDrivenReResolutionIsInTheTraceBetweenTheTwoAttempts() {
    List<PartitionInfo> parts = int64(0, 199, 2, 300);
    Switchable b = Switchable.echo(vertx, "replica-b");
    Switchable p1 = Switchable.echo(vertx, "p1");
    // the primary the gateway imports first is gone (its port refuses connections)
    FakeCluster.Partition p0 =
        new FakeCluster.Partition(
            parts.get(0),
            "1",
            new FakeCluster.Endpoint(
                "StatefulPrimary",
                FakeCluster.reliableServicesAddress("http://127.0.0.1:" + Backends.closedPort())));
    cluster.change(
        () ->
            cluster.apps.add(
                new FakeCluster.App(
                    "fabric:/Shop",
                    new FakeCluster.Service(
                        "fabric:/Shop/Orders",
                        "Stateful",
                        p0,
                        new FakeCluster.Partition(
                            parts.get(1),
                            "1",
                            new FakeCluster.Endpoint(
                                "StatefulPrimary",
                                FakeCluster.reliableServicesAddress(p1.url())))))));
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      tracing: { enabled: true, endpoint: "%s", scheduleDelay: PT0.02S }
      backends:
        - id: shop
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "http://127.0.0.1:%d" ]
            maxPartitionResolutionRetries: 3
            # one import, then only complaints re-resolve
            importer: { interval: PT1H, requestTimeout: PT10S }
      apis:
        - id: orders
          path: /orders
          backend: shop
          operations:
            - { id: get, method: GET, path: "/{id}", set-backend-service: { sf-partition-key: "{id}" } }
      """
                .formatted(receiver.httpEndpoint(), port));
    await()
        .atMost(60, TimeUnit.SECONDS)
        .until(
            () ->
                web.get(gw.managementPort(), "127.0.0.1", "/health/ready")
                        .send()
                        .await()
                        .statusCode()
                    == 200);
    // the failover happens in the cluster; the gateway learns of it only by complaining
    cluster.change(
        () -> {
          p0.endpoints =
              new ArrayList<>(
                  List.of(
                      new FakeCluster.Endpoint(
                          "StatefulPrimary", FakeCluster.reliableServicesAddress(b.url()))));
          p0.version = "2";
        });

    HttpResponse<Buffer> res =
        web.get(gw.trafficPort(), "127.0.0.1", "/orders/7")
            .putHeader("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
            .send()
            .await();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject().getString("name")).isEqualTo("replica-b");

    await().atMost(20, TimeUnit.SECONDS).until(() -> receiver.trace(TRACE).size() == 3);
    List<Received> trace = receiver.trace(TRACE);
    Received server =
        trace.stream()
            .filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER)
            .findFirst()
            .orElseThrow();
    List<Received> attempts =
        trace.stream()
            .filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT)
            .sorted(
                (x, y) ->
                    Long.compare(x.span().getStartTimeUnixNano(), y.span().getStartTimeUnixNano()))
            .toList();
    assertThat(attempts)
        .hasSize(2)
        .allSatisfy(
            a -> {
              assertThat(a.parentSpanId()).isEqualTo(server.spanId());
              assertThat(a.attr("servicefabric.partition.id")).isEqualTo(guid(300));
              assertThat(a.attr("servicefabric.replica.role")).isEqualTo("StatefulPrimary");
              assertThat(a.attr("servicefabric.service.name")).isEqualTo("fabric:/Shop/Orders");
              assertThat(a.attr("portico.backend.id")).isEqualTo("shop");
            });
    assertThat(attempts.get(0).attr("error.type")).isEqualTo("BackendConnectionFailure");
    assertThat(attempts.get(1).attr("http.request.resend_count")).isEqualTo("1");
    assertThat(attempts.get(1).attr("http.response.status_code")).isEqualTo("200");
    assertThat(attempts.get(1).attr("network.peer.port"))
        .isEqualTo(b.url().replaceAll(".*:(\\d+).*", "$1"));

    List<Span.Event> resolutions = server.events("servicefabric.resolve");
    assertThat(resolutions)
        .extracting(
            e ->
                OtlpReceiver.text(e.getAttributesList(), "servicefabric.resolution.trigger")
                    + "/"
                    + OtlpReceiver.text(e.getAttributesList(), "servicefabric.resolution.result"))
        .containsExactly("request/ok", "complaint/refreshed");
    assertThat(resolutions)
        .allSatisfy(
            e ->
                assertThat(OtlpReceiver.text(e.getAttributesList(), "servicefabric.partition.id"))
                    .isEqualTo(guid(300)));
    // the re-resolution happened between the attempts
    long complained = resolutions.get(1).getTimeUnixNano();
    assertThat(complained)
        .isBetween(
            attempts.get(0).span().getStartTimeUnixNano(),
            attempts.get(1).span().getStartTimeUnixNano());
  }
}
