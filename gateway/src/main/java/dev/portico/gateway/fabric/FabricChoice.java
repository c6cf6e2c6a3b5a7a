package dev.portico.gateway.fabric;

import dev.portico.gateway.backend.FabricBackend;
import dev.portico.gateway.config.FabricAttributes;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.target.TargetChoice;
import dev.portico.gateway.target.TargetSource;
import io.vertx.core.http.HttpServerRequest;

/**
 * The targets of a route to a Service Fabric backend: per request, a new {@link FabricSource} with
 * the partition key the request carries, resolved through {@code fabric}'s index.
 *
 * @param routing the route's service, key expression, replica type, listener and resend condition
 * @param bufferLimit bodies up to this many bytes are buffered to be resendable (the API's retry
 *     setting)
 * @param fabric Service Fabric resolution ({@code null} in a routing state compiled without it,
 *     which then serves no request of this route)
 */
public record FabricChoice(
    FabricBackend backend, FabricRouting routing, long bufferLimit, FabricRuntime fabric)
    implements TargetChoice {

  /**
   * The choice of a route to {@code backend}, with the attributes of the nearest {@code
   * set-backend-service} ({@code null}: defaults) bound to the operation's {@code template}.
   */
  public static FabricChoice of(
      FabricBackend backend,
      FabricAttributes attributes,
      PathTemplate template,
      long bufferLimit,
      FabricRuntime fabric) {
    return new FabricChoice(
        backend, FabricRouting.of(backend, attributes, template), bufferLimit, fabric);
  }

  @Override
  public TargetSource source(HttpServerRequest req, String rest) {
    FabricRouting f = routing;
    String key = f.key() == null ? null : f.key().evaluate(req, rest);
    // the message is built only when it may be needed: it costs a concatenation per request
    String absence =
        key != null
            ? null
            : f.key() == null ? "the route has no sf-partition-key" : f.key().absence();
    return new FabricSource(
        fabric,
        backend.upstream(),
        f.service(),
        key,
        null,
        absence,
        f.replicaType(),
        true,
        f.listenerName(),
        new ResendPolicy.Apim(f.condition()),
        f.maxResends(),
        bufferLimit,
        0);
  }
}
