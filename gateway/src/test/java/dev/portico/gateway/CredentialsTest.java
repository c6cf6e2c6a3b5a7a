package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend credentials from named values (config, environment, file) reach the backend and nothing
 * else.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CredentialsTest {

  static final String ENV_SECRET = "env-secret-7f3a9c";
  static final String FILE_SECRET = "file-secret-b81e44";
  static final String INLINE_SECRET = "inline-secret-5d2c71";

  @Test
  void credentialsAreAppliedAndSecretsNeverLoggedNorReturned(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, FILE_SECRET + "\n");
    int echo = Backends.echo(vertx, "b").actualPort();
    int closed = Backends.closedPort();
    int silent = Backends.silent(vertx).actualPort();
    String yaml =
        """
      namedValues:
        - { name: api-key, env: TEST_API_KEY }
        - { name: token, file: "%s" }
        - { name: fn-code, value: "%s", secret: true }
        - { name: tenant, value: contoso }
      backends:
        - id: ok
          url: "http://127.0.0.1:%d"
          credentials: &creds
            header: { x-api-key: "{{api-key}}", x-tenant: ["{{tenant}}", "second"] }
            query: { code: "{{fn-code}}" }
            authorization: { scheme: Bearer, parameter: "{{token}}" }
        - { id: refused, url: "http://127.0.0.1:%d", credentials: *creds }
        - { id: slow, url: "http://127.0.0.1:%d", credentials: *creds, timeouts: { response: PT0.3S } }
      apis:
        - { id: ok, path: /ok, backend: ok }
        - { id: refused, path: /refused, backend: refused }
        - { id: slow, path: /slow, backend: slow }
      """
            .formatted(tokenFile, INLINE_SECRET, echo, closed, silent);
    Map<String, String> env = Map.of("TEST_API_KEY", ENV_SECRET);

    try (LogCapture logs = new LogCapture()) {
      GatewayConfig config = GatewayHarness.config(yaml, env);
      GatewayVerticle gw = GatewayHarness.start(vertx, yaml, env);
      WebClient web = WebClient.create(vertx);

      HttpResponse<Buffer> ok =
          web.get(gw.trafficPort(), "127.0.0.1", "/ok/path?x=1")
              .putHeader("x-api-key", "client-tries-to-override")
              .putHeader("authorization", "Basic client")
              .send()
              .await();
      assertThat(ok.statusCode()).isEqualTo(200);
      JsonObject seen = ok.bodyAsJsonObject();
      JsonObject headers = seen.getJsonObject("headers");
      assertThat(headers.getString("x-api-key")).isEqualTo(ENV_SECRET);
      assertThat(headers.getString("x-tenant")).isEqualTo("contoso,second");
      assertThat(headers.getString("authorization")).isEqualTo("Bearer " + FILE_SECRET);
      assertThat(seen.getString("query")).isEqualTo("x=1&code=" + INLINE_SECRET);

      HttpResponse<Buffer> refused =
          web.get(gw.trafficPort(), "127.0.0.1", "/refused/p?y=2").send().await();
      HttpResponse<Buffer> slow = web.get(gw.trafficPort(), "127.0.0.1", "/slow/p").send().await();
      assertThat(refused.statusCode()).isEqualTo(502);
      assertThat(slow.statusCode()).isEqualTo(504);

      for (String secret : List.of(ENV_SECRET, FILE_SECRET, INLINE_SECRET)) {
        assertThat(refused.bodyAsString()).doesNotContain(secret);
        assertThat(slow.bodyAsString()).doesNotContain(secret);
        assertThat(
                String.join(
                    "\n",
                    refused.headers().entries().toString(),
                    slow.headers().entries().toString()))
            .doesNotContain(secret);
        assertThat(config.toString()).doesNotContain(secret);
        assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains(secret));
      }
    }
  }
}
