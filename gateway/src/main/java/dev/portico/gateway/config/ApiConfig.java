package dev.portico.gateway.config;

import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import java.util.List;

/**
 * An API: requests whose path starts with {@code path} go to {@code backend}, unless the API lists
 * operations, in which case a request must match one of them.
 *
 * @param path path prefix, starts with {@code /}, no trailing {@code /} (except the root {@code /})
 * @param backend id of the default backend ({@code backend}, or {@code set-backend-service}'s
 *     {@code backend-id} or {@code base-url} as bound)
 * @param operations optional operations; empty means every method and path under the prefix
 * @param retry the retry policy ({@link RetryConfig#NONE} when not configured)
 * @param fabric the {@code sf-*} attributes of the API's {@code set-backend-service}, or {@code
 *     null}
 * @param policies the API's {@code policies} and {@code inheritPolicies}, bound (compiled with the
 *     routing state)
 * @param openapi the OpenAPI document the operations were imported from ({@code apis[].openapi}),
 *     or {@code null}
 * @param websocket whether (and how) WebSocket upgrades pass ({@code apis[].websocket}); {@code
 *     null}: they do not
 */
public record ApiConfig(
    String id,
    String path,
    String backend,
    List<OperationConfig> operations,
    RetryConfig retry,
    FabricAttributes fabric,
    PolicyScopeConfig policies,
    OpenApiDefinition openapi,
    WebSocketConfig websocket) {
  public ApiConfig {
    operations = List.copyOf(operations);
    policies = policies == null ? PolicyScopeConfig.INHERIT : policies;
  }
}
