package dev.portico.gateway.openapi;

import dev.portico.gateway.expression.PathTemplate;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.HashMap;
import java.util.Map;

/**
 * What one route checks in a request before it is forwarded: the operation of the API's OpenAPI
 * contract, and which checks are on. Built with the routing table (off the hot path), shared by
 * every request of the route.
 *
 * @param pathSegments the segment index (0 = the first after the API prefix) of each path
 *     parameter, from the gateway's own template match: the contract's servers say nothing about
 *     where the gateway serves the API
 */
public record OperationValidation(
    OpenAPIContract contract,
    Operation operation,
    OpenApiSource.Validation settings,
    Map<String, Integer> pathSegments) {

  public OperationValidation {
    pathSegments = Map.copyOf(pathSegments);
  }

  /** Whether the request's body is read (up to {@code maxBodySize}) and checked. */
  public boolean readsBody() {
    return settings.content() && operation.getRequestBody() != null;
  }

  /**
   * The route's checks, or {@code null} when the API has no document or nothing applies to this
   * operation.
   */
  public static OperationValidation of(
      OpenApiDefinition openapi, String operationId, PathTemplate template) {
    if (openapi == null || openapi.contract() == null || !openapi.validation().any()) {
      return null;
    }
    Operation op = openapi.contract().operation(operationId);
    if (op == null) {
      throw new IllegalStateException(
          "operation '" + operationId + "' is not in the contract of " + openapi.document());
    }
    boolean parameters = openapi.validation().parameters() && !op.getParameters().isEmpty();
    boolean body = openapi.validation().content() && op.getRequestBody() != null;
    if (!parameters && !body) {
      return null; // nothing to check on this route: it stays on the plain hot path
    }
    Map<String, Integer> segments = new HashMap<>();
    for (Parameter p : op.getParameters()) {
      if (p.getIn() == Location.PATH) {
        segments.put(p.getName(), template.parameterIndex(p.getName()));
      }
    }
    return new OperationValidation(openapi.contract(), op, openapi.validation(), segments);
  }
}
