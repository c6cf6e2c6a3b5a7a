package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.portico.gateway.policy.config.PolicyConfig;
import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The JSON-schema fragment of the policies agrees with the records they bind onto, and accepts the
 * documented example.
 */
class PolicySchemaTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static final String EXAMPLE =
      """
    - base
    - ip-filter:
        action: forbid
        addresses: [203.0.113.0/24, "2001:db8:bad::/48"]
        address-ranges: [{from: 198.51.100.10, to: 198.51.100.20}]
    - cors:
        allowed-origins: [https://app.example.com, "https://*.example.org"]
        allowed-methods: [GET, PUT, DELETE]
        allowed-headers: [Authorization, Content-Type]
        expose-headers: [X-Request-Id]
        allow-credentials: true
        preflight-result-max-age: 600
    - validate-jwt:
        openid-config: {url: "https://login.example.com/.well-known/openid-configuration"}
        audiences: [orders-api]
        issuers: [https://login.example.com/]
        clock-skew: 30
        required-claims:
          - {name: scope, separator: " ", match: any, values: [orders.read, orders.write]}
    - rate-limit-by-key:
        calls: 100
        renewal-period: 60
        counter-key: "{claim.sub}"
        increment-condition: {status-code-ranges: [{min: 200, max: 399}]}
        store: {type: redis, timeout: PT0.05S, on-failure: local}
    - quota-by-key:
        calls: 10000
        bandwidth: 40000
        renewal-period: P1D
        counter-key: "{header.X-Tenant}"
    - set-header: {name: X-User, value: "{claim.sub}"}
    - set-header: {name: X-Api-Key, value: "{{orders-backend-key}}", exists-action: override}
    - set-header: {name: Server, exists-action: delete, direction: response}
    - rewrite-uri: {template: "/v2/orders/{id}?view={query.view}", copy-unmatched-params: false}
    """;

  private static JsonNode fragment() throws Exception {
    try (InputStream in =
        PolicySchemaTest.class.getResourceAsStream(
            "/dev/portico/gateway/config/policies.schema.json")) {
      return JSON.readTree(in);
    }
  }

  private static JsonSchema scopeSchema() throws Exception {
    ObjectNode root = (ObjectNode) fragment().deepCopy();
    root.put("$ref", "#/$defs/policyScope");
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
  }

  @Test
  void theDocumentedExampleIsValidAndBinds() throws Exception {
    JsonNode example = new YAMLMapper().readTree(EXAMPLE);
    Set<ValidationMessage> messages = scopeSchema().validate(example);
    assertThat(messages).isEmpty();
    Vertx vertx = Vertx.vertx();
    try {
      PolicyEnvironment env =
          PolicyEnvironment.builder(vertx)
              .namedValues(Map.of("orders-backend-key", "k"))
              .redis(io.vertx.redis.client.Redis.createClient(vertx, "redis://127.0.0.1:1"))
              .build();
      List<PolicyProblem> problems = new ArrayList<>();
      CompiledScope scope =
          new PolicyCompiler(env)
              .compile(
                  PolicyConfigBinder.bindScope("apis[0].policies", example, null, false, problems),
                  null,
                  problems);
      assertThat(problems).isEmpty();
      assertThat(scope.policies()).hasSize(9);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void theSchemaRefusesWhatTheRecordsCannotTake() throws Exception {
    JsonNode bad =
        new YAMLMapper()
            .readTree(
                """
      - rate-limit-by-key: {calls: 0, renewal-period: 1, colour: red}
      - ip-filter: {addresses: [10.0.0.0/8]}
      - {cors: {allowed-origins: ["*"]}, set-header: {name: X}}
      - based
      """);
    assertThat(scopeSchema().validate(bad)).isNotEmpty();
  }

  @Test
  void everyRecordFieldIsInTheSchemaAndBack() throws Exception {
    JsonNode defs = fragment().get("$defs");
    Map<String, String> defNames =
        Map.of(
            "rate-limit-by-key",
            "rateLimitByKey",
            "quota-by-key",
            "quotaByKey",
            "validate-jwt",
            "validateJwt",
            "cors",
            "cors",
            "set-header",
            "setHeader",
            "rewrite-uri",
            "rewriteUri",
            "ip-filter",
            "ipFilter");
    for (Map.Entry<String, Class<? extends PolicyConfig>> e :
        PolicyConfigBinder.POLICIES.entrySet()) {
      Set<String> fields = new TreeSet<>();
      for (RecordComponent c : e.getValue().getRecordComponents()) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        JsonProperty q = p != null ? p : c.getAnnotation(JsonProperty.class);
        fields.add(q != null ? q.value() : c.getName());
      }
      Set<String> schema = new TreeSet<>();
      defs.get(defNames.get(e.getKey()))
          .get("properties")
          .fieldNames()
          .forEachRemaining(schema::add);
      assertThat(schema).as(e.getKey()).isEqualTo(fields);
    }
  }
}
