package dev.portico.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.expression.PartitionKeyExpression;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.expression.ResolveCondition;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two small languages of set-backend-service: sf-partition-key and sf-resolve-condition. */
class FabricExpressionsTest {

  /** A request with only headers and query parameters (all the expressions read). */
  static HttpServerRequest request(Map<String, String> headers, Map<String, String> params) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(headers);
    return (HttpServerRequest)
        Proxy.newProxyInstance(
            FabricExpressionsTest.class.getClassLoader(),
            new Class<?>[] {HttpServerRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getHeader":
                  return h.get(args[0].toString());
                case "getParam":
                  return params.get((String) args[0]);
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }

  @Test
  void partitionKeysComeFromTemplateParametersSegmentsHeadersQueryOrLiterals() {
    HttpServerRequest req = request(Map.of("X-Tenant", "eu"), Map.of("customer", "42"));
    PathTemplate template = PathTemplate.parse("/orders/{id}/lines/{line}");
    assertThat(PartitionKeyExpression.parse("{id}").bind(template))
        .isEqualTo(new PartitionKeyExpression.Segment(1, "{id}"));
    assertThat(
            PartitionKeyExpression.parse("{line}")
                .bind(template)
                .evaluate(req, "/orders/7/lines/3"))
        .isEqualTo("3");
    assertThat(
            PartitionKeyExpression.parse("{id}")
                .bind(template)
                .evaluate(req, "/orders/caf%C3%A9/lines/3"))
        .isEqualTo("café");
    assertThat(PartitionKeyExpression.parse("segment:0").evaluate(req, "/orders/7"))
        .isEqualTo("orders");
    assertThat(PartitionKeyExpression.parse("segment:2").evaluate(req, "/orders/7")).isNull();
    assertThat(PartitionKeyExpression.parse("segment:1").evaluate(req, "/orders//x")).isNull();
    assertThat(PartitionKeyExpression.parse("header:x-tenant").evaluate(req, "")).isEqualTo("eu");
    assertThat(PartitionKeyExpression.parse("header:X-Other").evaluate(req, "")).isNull();
    assertThat(PartitionKeyExpression.parse("header:X-Other").absence())
        .isEqualTo("the request has no X-Other header (header:X-Other)");
    assertThat(PartitionKeyExpression.parse("query:customer").evaluate(req, "")).isEqualTo("42");
    assertThat(PartitionKeyExpression.parse("literal:eu-west").evaluate(req, ""))
        .isEqualTo("eu-west");
    // FNV-1a 64: stable across processes; the published test vector of "a"
    assertThat(PartitionKeyExpression.parse("hash(literal:a)").evaluate(req, ""))
        .isEqualTo(Long.toString(0xaf63dc4c8601ec8cL));
    assertThat(
            PartitionKeyExpression.parse("hash({id})")
                .bind(template)
                .evaluate(req, "/orders/a/lines/1"))
        .isEqualTo(Long.toString(0xaf63dc4c8601ec8cL));
    assertThat(PartitionKeyExpression.parse(" {id} ").source()).isEqualTo("{id}");

    assertThatThrownBy(() -> PartitionKeyExpression.parse("{id}").evaluate(req, "/x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PartitionKeyExpression.parse("{nope}").bind(template))
        .hasMessage("the operation path '/orders/{id}/lines/{line}' has no parameter {nope}");
    assertThatThrownBy(() -> PartitionKeyExpression.parse("hash(hash(literal:a))"))
        .hasMessageContaining("cannot be nested");
    assertThatThrownBy(() -> PartitionKeyExpression.parse("segment:64"))
        .hasMessageContaining("within 0-63");
    assertThatThrownBy(() -> PartitionKeyExpression.parse("literal:"))
        .hasMessageContaining("non-empty");
    assertThatThrownBy(() -> PartitionKeyExpression.parse("query:"))
        .hasMessageContaining("needs a parameter name");
    assertThatThrownBy(() -> PartitionKeyExpression.parse("")).hasMessageStartingWith("is empty");
  }

  @Test
  void resolveConditionsAreDisjunctionsOfConjunctions() {
    ResolveCondition d = ResolveCondition.DEFAULT;
    assertThat(d.text()).isEqualTo("status != 200 or BackendConnectionFailure or Timeout");
    assertThat(d.matches(200, null)).isFalse();
    assertThat(d.matches(404, null)).isTrue();
    assertThat(d.matches(0, "BackendConnectionFailure")).isTrue();
    assertThat(d.matches(0, "Timeout")).isTrue();
    assertThat(d.matches(0, "ClientConnectionFailure")).isFalse();

    ResolveCondition c = ResolveCondition.parse("status>=500&&status!=501 || timeout");
    assertThat(c.matches(503, null)).isTrue();
    assertThat(c.matches(501, null)).isFalse();
    assertThat(c.matches(404, null)).isFalse();
    assertThat(c.matches(0, "Timeout")).isTrue();
    assertThat(c.matches(0, "BackendConnectionFailure")).isFalse();
    assertThat(ResolveCondition.parse("status < 200 OR status > 299").matches(302, null)).isTrue();
    assertThat(ResolveCondition.parse("status <= 200 and status >= 200").matches(200, null))
        .isTrue();
    assertThat(ResolveCondition.parse("status == 410").matches(0, "Timeout"))
        .as("no status without a response")
        .isFalse();

    assertThatThrownBy(() -> ResolveCondition.parse("status"))
        .hasMessageContaining("needs an operator and a status code");
    assertThatThrownBy(() -> ResolveCondition.parse("status != abc"))
        .hasMessageContaining("'abc' is not a status code");
    assertThatThrownBy(() -> ResolveCondition.parse("Timeout xor status == 1"))
        .hasMessageContaining("expected 'or' or 'and'");
    assertThatThrownBy(() -> ResolveCondition.parse("@(context.Response.StatusCode != 200)"))
        .hasMessageContaining("APIM policy expressions are not supported");
  }
}
