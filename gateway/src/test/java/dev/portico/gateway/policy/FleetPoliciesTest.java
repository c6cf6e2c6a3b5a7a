package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RecordingBackend;
import dev.portico.gateway.support.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways, each in its own Vert.x, on one Redis registry (a real redis-server): a {@code
 * store: {type: redis}} limit configured in YAML is one limit for the fleet.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetPoliciesTest {

  @TempDir static Path dir;
  static RedisServer redis;

  final List<Vertx> processes = new ArrayList<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void stopGateways() {
    for (Vertx v : processes) {
      v.close().await();
    }
  }

  GatewayVerticle process(String yaml) {
    Vertx v = Vertx.vertx();
    processes.add(v);
    return GatewayHarness.start(v, yaml);
  }

  @Test
  void twoGatewaysOnTheRedisRegistryShareOneLimit(Vertx vertx) {
    RecordingBackend backend = RecordingBackend.start(vertx);
    String key = "fleet-" + UUID.randomUUID();
    // timeout generous and on-failure closed: a slow Redis shows as 503s, never as extra admissions
    String yaml =
        """
      registry:
        backend: redis
        redis: { endpoint: "%s", key: "portico:test:%s" }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - rate-limit-by-key:
                calls: 10
                renewal-period: 60
                counter-key: "%s"
                store: {type: redis, timeout: PT5S, on-failure: closed}
      """
            .formatted(redis.endpoint(), key, backend.port(), key);
    GatewayVerticle a = process(yaml);
    GatewayVerticle b = process(yaml);
    WebClient web = WebClient.create(vertx);
    int[] admitted = new int[2];
    int[] limited = new int[2];
    long start = System.nanoTime();
    for (int i = 0; i < 30; i++) {
      int g = i % 2;
      HttpResponse<Buffer> res =
          web.get((g == 0 ? a : b).trafficPort(), "127.0.0.1", "/orders").send().await();
      assertThat(res.statusCode()).as(res.bodyAsString()).isIn(200, 429);
      if (res.statusCode() == 200) {
        admitted[g]++;
      } else {
        limited[g]++;
        assertThat(res.bodyAsJsonObject().getString("reason")).isEqualTo("RateLimited");
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = admitted[0] + admitted[1];
    // the bucket's exact bound over the run (refill 10/60 s), +2 for the script's rounding
    // (docs/policies.md)
    double bound = 10 + 10 / 60.0 * seconds + 2;
    assertThat(total)
        .as("admitted by the fleet in %.1f s", seconds)
        .isBetween(10, (int) Math.floor(bound));
    // each gateway alone would have admitted 10 of its 15: both refused once the fleet's 10 were
    // used
    assertThat(limited[0]).isPositive();
    assertThat(limited[1]).isPositive();
    assertThat(backend.seen()).hasSize(total);
  }
}
