package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.awaitIndexed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.demo.FabricDemo;
import dev.portico.gateway.pipeline.ExchangeObserver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The partitioned demo service ({@code demo.serviceFabric}) in the compose topology's own
 * configuration, docker/config/gateway.yaml, with its listeners moved to loopback.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FabricDemoTest {

  @Test
  void theDemoServiceIsPartitionedWithAPrimaryAndASecondaryPerPartition(Vertx vertx) {
    GatewayConfig config =
        ConfigLoader.load(
                vertx,
                Optional.of(Path.of("../docker/config/gateway.yaml")),
                Map.of(
                    "PORTICO_LISTENERS__TRAFFIC__HOST",
                    "127.0.0.1",
                    "PORTICO_LISTENERS__TRAFFIC__PORT",
                    "0",
                    "PORTICO_LISTENERS__MANAGEMENT__HOST",
                    "127.0.0.1",
                    "PORTICO_LISTENERS__MANAGEMENT__PORT",
                    "0",
                    "PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__HOST",
                    "127.0.0.1",
                    "PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__PORT",
                    "0"))
            .await();
    GatewayVerticle gw = new GatewayVerticle(config, 2, ExchangeObserver.NONE);
    vertx.deployVerticle(gw).await();
    awaitIndexed(gw, FabricDemo.SERVICE.toString(), 6);
    WebClient web = WebClient.create(vertx);
    JsonObject p0 =
        web.get(gw.trafficPort(), "127.0.0.1", "/fabric/orders/42")
            .send()
            .await()
            .bodyAsJsonObject();
    assertThat(p0.getString("instance")).isEqualTo("orders-0-99-primary");
    assertThat(p0.getString("role")).isEqualTo("StatefulPrimary");
    assertThat(p0.getJsonObject("partition").getLong("lowKey")).isZero();
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/fabric/orders/250/replica")
                .send()
                .await()
                .bodyAsJsonObject()
                .getString("instance"))
        .isEqualTo("orders-200-299-secondary");
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/fabric/orders/300")
                .send()
                .await()
                .statusCode())
        .isEqualTo(400);
    JsonObject viaProxy =
        web.get(
                gw.reverseProxyPort(),
                "127.0.0.1",
                "/Demo/Orders/orders/150?PartitionKind=Int64Range&PartitionKey=150")
            .send()
            .await()
            .bodyAsJsonObject();
    assertThat(viaProxy.getString("instance")).isEqualTo("orders-100-199-primary");
    assertThat(viaProxy.getString("path")).isEqualTo("/orders/150");
    assertThat(viaProxy.getString("query")).isNull();

    String metrics =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics)
        .contains("portico_sf_resolutions_total{result=\"ok\",service=\"fabric:/Demo/Orders\"} 3.0")
        .contains(
            "portico_sf_resolutions_total{result=\"bad_key\",service=\"fabric:/Demo/Orders\"} 1.0")
        .contains("portico_sf_resolution_duration_seconds_count{result=\"ok\"} 3")
        .contains("portico_requests_in_flight{api=\"sf-reverse-proxy\"}")
        .contains(
            "portico_registry_instances{service=\"fabric:/Demo/Orders\",source=\"service-fabric\",status=\"up\"} 6.0");
  }
}
