package dev.portico.gateway.config;

import dev.portico.gateway.policy.config.PolicyScopeConfig;

/**
 * An operation of an API: a method ({@code *} for any) and a path template relative to the API's
 * prefix, such as {@code /orders/{id}} or {@code /files/*}.
 *
 * <p>An operation that names a backend or has a {@code set-backend-service} replaces the API's
 * choice as a whole (backend and {@code sf-*} attributes); one with neither inherits the API's.
 *
 * @param backend backend id overriding the API's default, or {@code null}
 * @param fabric the {@code sf-*} attributes of the operation's {@code set-backend-service}, or
 *     {@code null}
 * @param policies the operation's {@code policies} and {@code inheritPolicies}, bound
 * @param websocket the operation's {@code websocket} ({@code null}: the API's applies; {@code
 *     false} binds to {@code null} with {@code websocketDenied})
 * @param websocketDenied {@code websocket: false} on the operation: no upgrade even where the API
 *     allows them
 */
public record OperationConfig(
    String id,
    String method,
    String path,
    String backend,
    FabricAttributes fabric,
    PolicyScopeConfig policies,
    WebSocketConfig websocket,
    boolean websocketDenied) {

  public OperationConfig {
    policies = policies == null ? PolicyScopeConfig.INHERIT : policies;
  }

  /**
   * The WebSocket rule of this operation of an API whose own rule is {@code api} ({@code null}:
   * none).
   */
  public WebSocketConfig websocketWithin(WebSocketConfig api) {
    return websocketDenied ? null : websocket != null ? websocket : api;
  }

  /** Whether the operation chooses its own backend service rather than inheriting the API's. */
  public boolean overridesBackendService() {
    return backend != null || fabric != null;
  }
}
