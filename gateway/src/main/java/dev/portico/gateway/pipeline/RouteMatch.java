package dev.portico.gateway.pipeline;

import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.state.RoutingStateHolder;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The traffic listener's route match against the current immutable {@link RoutingState} (read once:
 * the request keeps that snapshot to its end). No match is 404 {@code OperationNotFound}, except
 * for a CORS preflight of an API with policies: the policies of the operation it announces (else
 * the API's and global ones) answer it, as APIM's do, and whatever they let through is still no
 * operation.
 */
final class RouteMatch implements Stage {

  private final RoutingStateHolder states;

  RouteMatch(RoutingStateHolder states) {
    this.states = states;
  }

  @Override
  public void apply(RequestContext rc) {
    HttpServerRequest req = rc.req;
    String path = rc.path;
    RoutingState state = states.current();
    rc.state = state;
    Route route = state.apis().match(req.method(), path);
    if (route != null) {
      rc.route = route;
      rc.rejectApi = route.apiId();
      rc.next();
      return;
    }
    String api = state.apis().apiId(path);
    Failure notFound =
        new Failure.OperationNotFound(
            api == null
                ? "no API matches the path " + path
                : "API '" + api + "' has no operation matching " + req.method() + " " + path);
    Route apiRoute = api == null || !isPreflight(req) ? null : preflightRoute(state, req, path);
    if (apiRoute != null && !apiRoute.policies().isEmpty()) {
      rc.route = apiRoute;
      rc.rejectApi = apiRoute.apiId();
      rc.unlessLetThrough = notFound;
      rc.next();
      return;
    }
    rc.rejectApi = api;
    rc.reject(notFound);
  }

  /**
   * The route of the request a preflight announces (its method, this path), else the API's own
   * route.
   */
  private static Route preflightRoute(RoutingState state, HttpServerRequest req, String path) {
    try {
      Route announced =
          state
              .apis()
              .match(
                  HttpMethod.valueOf(req.getHeader("Access-Control-Request-Method").trim()), path);
      if (announced != null) {
        return announced;
      }
    } catch (IllegalArgumentException notAMethod) {
      // the API's policies decide on a preflight announcing no valid method
    }
    return state.apis().apiRoute(path);
  }

  private static boolean isPreflight(HttpServerRequest req) {
    return req.method() == HttpMethod.OPTIONS
        && req.headers().contains("Origin")
        && req.headers().contains("Access-Control-Request-Method");
  }
}
