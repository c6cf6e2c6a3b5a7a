package dev.portico.gateway.routing;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.openapi.OperationValidation;
import dev.portico.gateway.policy.PolicyChain;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.target.TargetChoice;

/**
 * Where a matched request goes: the API, the operation (or {@code null} for an API without
 * operations), and the backend chosen for it. One instance per API/operation, built with the table,
 * so matching allocates nothing.
 *
 * @param prefixLength length of the API prefix to cut from the request path before appending the
 *     rest
 * @param retry the API's retry policy (shared by its routes, with its budget)
 * @param targets how the route's requests find their targets, compiled with the route ({@link
 *     TargetChoice#SNAPSHOT} for Single and Pool backends)
 * @param policies the route's compiled policies (global, API, operation); {@link PolicyChain#EMPTY}
 *     when none, so the hot path pays one {@code isEmpty()} for routes without policies
 * @param template the operation's path template (for the policies' path parameters); {@code null}
 *     for an API route
 * @param validation what requests are checked against before they are forwarded (the API's OpenAPI
 *     document); {@code null} when nothing is, so the hot path tests one reference
 * @param webSocket issue 14: whether WebSocket handshakes pass, and their idle timeout; {@code
 *     null}: they do not
 * @param observerSlot where the exchange observer keeps what it resolved for this route (its
 *     meters), so a request looks nothing up by id
 */
public record Route(
    String apiId,
    String operationId,
    Backend backend,
    int prefixLength,
    RetryPolicy retry,
    TargetChoice targets,
    PolicyChain policies,
    PathTemplate template,
    OperationValidation validation,
    WebSocketConfig webSocket,
    ObserverSlot observerSlot) {

  public Route {
    policies = policies == null ? PolicyChain.EMPTY : policies;
    targets = targets == null ? TargetChoice.SNAPSHOT : targets;
    // every route has a slot of its own: what the observer resolves is per route
    observerSlot = observerSlot == null ? new ObserverSlot() : observerSlot;
  }
}
