package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real launcher: a shared registry that cannot be reached stops the start like a bad
 * configuration.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryStartFailureTest {

  @Test
  void anUnreachableRedisEndsTheStartWithOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
    int closed = Backends.closedPort();
    // listeners on port 0: the start fails before either opens
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      namedValues: [ { name: redis-password, env: REDIS_PASSWORD } ]
      registry:
        backend: redis
        redis: { endpoint: "redis://127.0.0.1:%d", password: "{{redis-password}}" }
        timeout: PT1S
        instances: [ { service: orders, url: "http://127.0.0.1:1" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
            .formatted(closed));
    try (GatewayProcess gateway =
        GatewayProcess.run(
            List.of("--config", config.toString()), Map.of("REDIS_PASSWORD", "s3cret-pw-81"))) {
      assertThat(gateway.refusedStartLine(Duration.ofSeconds(60)))
          .startsWith(
              "gateway not started: the registry (redis at redis://127.0.0.1:"
                  + closed
                  + ", key portico:registry) could not be read or written:");
      assertThat(gateway.log())
          .doesNotContain("s3cret-pw-81")
          .doesNotContain("\tat ")
          .doesNotContain("Exception:");
    }
  }
}
