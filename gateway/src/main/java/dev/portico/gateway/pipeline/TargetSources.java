package dev.portico.gateway.pipeline;

import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.routing.FabricRouting;
import dev.portico.gateway.routing.Route;
import io.vertx.core.http.HttpServerRequest;

/** The one place that decides which kind of {@link TargetSource} serves a route. */
final class TargetSources {

  private TargetSources() {
  }

  /**
   * The shared snapshot source for Single and Pool backends; a new {@link FabricSource} for a
   * route to a Service Fabric backend, with the key this request carries.
   *
   * @param rest the request path after the API prefix
   */
  static TargetSource of(Route route, HttpServerRequest req, String rest, FabricRuntime fabric) {
    FabricRouting f = route.fabric();
    if (f == null) {
      return SnapshotSource.INSTANCE;
    }
    String key = f.key() == null ? null : f.key().evaluate(req, rest);
    // the message is built only when it may be needed: it costs a concatenation per request
    String absence = key != null ? null : f.key() == null ? "the route has no sf-partition-key" : f.key().absence();
    return new FabricSource(fabric, route.backend().upstream(), f.service(), key, null, absence, f.replicaType(), true,
      f.listenerName(), new ResendPolicy.Apim(f.condition()), f.maxResends(), route.retry().bufferBodyLimit(), 0);
  }
}
