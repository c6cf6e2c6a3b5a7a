package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Load;
import dev.portico.gateway.support.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared registry whose Redis restarts without persistence (it comes back empty) under load: the
 * gateway that declares the instances declares them again before its routing snapshot takes the
 * empty read, a gateway that declares nothing keeps the last snapshot meanwhile, and no request
 * fails.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryHealingTest {

  @TempDir Path dir;
  final List<Vertx> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(v -> v.close().await());
  }

  GatewayVerticle process(RedisServer redis, String instances) {
    Vertx v = Vertx.vertx();
    processes.add(v);
    return GatewayHarness.start(
        v,
        """
      registry:
        backend: redis
        redis: { endpoint: "%s", key: healing }
        refreshInterval: PT0.2S
        timeout: PT1S
        instances: [ %s ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
            .formatted(redis.endpoint(), instances));
  }

  @Test
  void aRedisRestartedEmptyUnderLoadFailsNoRequest(Vertx vertx) throws Exception {
    int one = Backends.echo(vertx, "one").actualPort();
    try (RedisServer redis = RedisServer.start(dir)) {
      GatewayVerticle declaring =
          process(redis, "{ service: orders, url: \"http://127.0.0.1:%d\" }".formatted(one));
      GatewayVerticle reading = process(redis, "");
      // bounded: 2 workers per gateway, at most 200 000 requests or 60 s
      Load onDeclaring =
          Load.start(vertx, declaring.trafficPort(), "/orders/x", 2, 200_000, 60_000);
      Load onReading = Load.start(vertx, reading.trafficPort(), "/orders/x", 2, 200_000, 60_000);
      await()
          .atMost(20, TimeUnit.SECONDS)
          .until(() -> onDeclaring.hits().size() > 200 && onReading.hits().size() > 200);

      long restarted = System.nanoTime();
      redis.restart();
      // the declaring gateway put its instance back ...
      await()
          .atMost(30, TimeUnit.SECONDS)
          .until(() -> redis.command("HLEN", "healing").equals(":1"));
      // ... and both kept serving through it, well past the registry's polling interval
      int declaringAtHeal = onDeclaring.hits().size();
      int readingAtHeal = onReading.hits().size();
      await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () ->
                  onDeclaring.hits().size() > declaringAtHeal + 500
                      && onReading.hits().size() > readingAtHeal + 500);
      List<Load.Hit> a = onDeclaring.stop();
      List<Load.Hit> b = onReading.stop();

      Map<Integer, Long> aStatuses =
          a.stream().collect(Collectors.groupingBy(Load.Hit::status, Collectors.counting()));
      Map<Integer, Long> bStatuses =
          b.stream().collect(Collectors.groupingBy(Load.Hit::status, Collectors.counting()));
      long aAfter = a.stream().filter(h -> h.atNanos() > restarted).count();
      long bAfter = b.stream().filter(h -> h.atNanos() > restarted).count();
      System.out.printf(
          "redis restart under load: declaring gateway %d requests (%d after the restart) by status %s;"
              + " reading gateway %d requests (%d after) by status %s%n",
          a.size(), aAfter, aStatuses, b.size(), bAfter, bStatuses);
      assertThat(a)
          .as("failed requests through the declaring gateway")
          .allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
      assertThat(b)
          .as("failed requests through the reading gateway")
          .allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    }
  }
}
