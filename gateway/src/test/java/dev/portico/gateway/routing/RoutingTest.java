package dev.portico.gateway.routing;

import static dev.portico.gateway.support.TestConfigs.api;
import static dev.portico.gateway.support.TestConfigs.operation;
import static dev.portico.gateway.support.TestConfigs.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.SingleBackend;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.expression.PathTemplate;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {

  static Backend backend(String id) {
    return new SingleBackend(single(id, new BackendTarget.RegistryService(id)));
  }

  @Test
  void longestPrefixWinsOnSegmentBoundaries() {
    Map<String, Backend> b =
        Map.of("root", backend("root"), "a", backend("a"), "ab", backend("ab"));
    ApiTable t =
        ApiTable.build(
            List.of(
                api("root", "/", "root", List.of(), RetryConfig.NONE),
                api("a", "/a", "a", List.of(), RetryConfig.NONE),
                api("ab", "/a/b", "ab", List.of(), RetryConfig.NONE)),
            b);
    assertThat(t.match(HttpMethod.GET, "/a/b/c").apiId()).isEqualTo("ab");
    assertThat(t.match(HttpMethod.GET, "/a/b").apiId()).isEqualTo("ab");
    assertThat(t.match(HttpMethod.GET, "/a/bc").apiId()).isEqualTo("a");
    assertThat(t.match(HttpMethod.GET, "/a").apiId()).isEqualTo("a");
    assertThat(t.match(HttpMethod.GET, "/ab").apiId()).isEqualTo("root");
    assertThat(t.match(HttpMethod.GET, "/").apiId()).isEqualTo("root");
    assertThat(t.match(HttpMethod.GET, "/a/b/c").prefixLength()).isEqualTo(4);
    assertThat(t.match(HttpMethod.GET, "/zzz").prefixLength()).isZero();
  }

  @Test
  void operationsMatchByMethodAndTemplateMostSpecificFirst() {
    Map<String, Backend> b = Map.of("d", backend("d"), "special", backend("special"));
    ApiTable t =
        ApiTable.build(
            List.of(
                api(
                    "orders",
                    "/orders",
                    "d",
                    List.of(
                        operation("get", "GET", "/{id}", null),
                        operation("mine", "GET", "/mine", "special"),
                        operation("files", "*", "/{id}/files/*", null),
                        operation("list", "GET", "/", null)),
                    RetryConfig.NONE)),
            b);
    assertThat(t.match(HttpMethod.GET, "/orders/42").operationId()).isEqualTo("get");
    assertThat(t.match(HttpMethod.GET, "/orders/mine").operationId()).isEqualTo("mine");
    assertThat(t.match(HttpMethod.GET, "/orders/mine").backend().id()).isEqualTo("special");
    assertThat(t.match(HttpMethod.GET, "/orders/42/").operationId()).isEqualTo("get");
    assertThat(t.match(HttpMethod.PUT, "/orders/42/files/a/b.txt").operationId())
        .isEqualTo("files");
    assertThat(t.match(HttpMethod.PUT, "/orders/42/files").operationId()).isEqualTo("files");
    assertThat(t.match(HttpMethod.GET, "/orders").operationId()).isEqualTo("list");
    assertThat(t.match(HttpMethod.GET, "/orders/").operationId()).isEqualTo("list");
    assertThat(t.match(HttpMethod.POST, "/orders/42")).isNull();
    assertThat(t.match(HttpMethod.GET, "/orders/42/other")).isNull();
    assertThat(t.apiId("/orders/42/other")).isEqualTo("orders");
  }

  @Test
  void templatesRejectMalformedShapes() {
    assertThatThrownBy(() -> PathTemplate.parse("x")).hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> PathTemplate.parse("/a//b")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> PathTemplate.parse("/a/*/b"))
        .hasMessageContaining("wildcard must be the last");
    assertThatThrownBy(() -> PathTemplate.parse("/a{id}"))
        .hasMessageContaining("whole {parameter}");
    assertThat(PathTemplate.parse("/a/{x}").canonical())
        .isEqualTo(PathTemplate.parse("/a/{y}").canonical());
    assertThat(PathTemplate.parse("/a/{*rest}").canonical()).isEqualTo("/a/*");
  }

  @Test
  void dotSegmentsAreRemovedAndEscapesRejected() {
    String plain = "/a/b/c";
    assertThat(RequestPaths.normalize(plain)).isSameAs(plain);
    assertThat(RequestPaths.normalize("/a/./b/../c")).isEqualTo("/a/c");
    assertThat(RequestPaths.normalize("/a/b/..")).isEqualTo("/a/");
    assertThat(RequestPaths.normalize("/a/.hidden")).isEqualTo("/a/.hidden");
    assertThat(RequestPaths.normalize("/..")).isNull();
    assertThat(RequestPaths.normalize("/a/../../b")).isNull();
    assertThat(RequestPaths.normalize("relative")).isNull();
  }
}
