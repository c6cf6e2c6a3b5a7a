package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.GatewayProcess;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Through the real launcher: a listener whose port is taken ends the start with one line naming the
 * listener and its address, exit status 2 and no stack trace, with either transport; other I/O
 * failures are not reported as the address's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenerBindFailureTest {

  @ParameterizedTest(name = "{0} listener, native transport {1}")
  @CsvSource({
    "traffic, false",
    "traffic, true",
    "management, false",
    "Service Fabric reverse-proxy, false"
  })
  void aTakenPortIsNamedWithItsListener(String listener, boolean nativeTransport, @TempDir Path dir)
      throws Exception {
    // held open for the whole test: the gateway cannot take it, and nothing else can either
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          """
          gateway: { nativeTransport: %s }
          listeners:
            traffic: { host: 127.0.0.1, port: %d }
            management: { host: 127.0.0.1, port: %d }
            serviceFabricReverseProxy: { enabled: %s, host: 127.0.0.1, port: %d }
          backends: [ { id: b, url: "http://127.0.0.1:1" } ]
          apis: [ { id: a, path: /a, backend: b } ]
          """
              .formatted(
                  nativeTransport,
                  listener.equals("traffic") ? port : 0,
                  listener.equals("management") ? port : 0,
                  listener.startsWith("Service Fabric"),
                  listener.startsWith("Service Fabric") ? port : 0));
      try (GatewayProcess gateway =
          GatewayProcess.run(List.of("--config", config.toString()), Map.of())) {
        assertThat(gateway.refusedStartLine(Duration.ofSeconds(60)))
            .startsWith(
                "gateway not started: the "
                    + listener
                    + " listener could not bind 127.0.0.1:"
                    + port
                    + ": ")
            .containsIgnoringCase("address already in use");
        assertThat(gateway.log()).doesNotContain("\tat ").doesNotContain("ready: traffic on");
      }
    }
  }

  @Test
  void onlyAnAddressThatCannotBeBoundIsReportedAsABindFailure() {
    BindException jdk = new BindException("Address already in use");
    IOException nativeBind = new IOException("bind(..) failed: Cannot assign requested address");
    assertThat(GatewayVerticle.bindError(new VertxException("deploy failed", jdk))).isSameAs(jdk);
    assertThat(GatewayVerticle.bindError(new VertxException(nativeBind))).isSameAs(nativeBind);
    // I/O failures that are not about the address pass on as they are
    assertThat(GatewayVerticle.bindError(new VertxException(new NoSuchFileException("/x/key.pem"))))
        .isNull();
    assertThat(
            GatewayVerticle.bindError(new IOException("setsockopt(..) failed: Invalid argument")))
        .isNull();
    assertThat(GatewayVerticle.bindError(new IllegalStateException("no"))).isNull();
  }
}
