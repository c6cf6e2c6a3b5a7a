package dev.portico.gateway.proxy;

import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.state.RoutingStateHolder;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;

/**
 * The hot path's front half: loop check, request id, API match against the current immutable
 * {@link RoutingState}, and the route's {@link TargetSource}; then an {@link Exchange} forwards
 * the request. No registry query, lock or blocking call happens here.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {

  private final Vertx vertx;
  private final HttpClient client;
  private final RoutingStateHolder states;
  private final String hopMarker;
  private final String via;
  private final ExchangeObserver observer;
  private final FabricRuntime fabric;

  /**
   * @param hopMarker this gateway's id; a request whose {@code Via} already names it has looped
   * @param fabric    Service Fabric resolution, for routes to Service Fabric backends ({@code null} when there are none)
   */
  public ProxyHandler(Vertx vertx, HttpClient client, RoutingStateHolder states, String hopMarker,
                      ExchangeObserver observer, FabricRuntime fabric) {
    this.vertx = vertx;
    this.client = client;
    this.states = states;
    this.hopMarker = hopMarker;
    this.via = "1.1 " + hopMarker;
    this.observer = observer;
    this.fabric = fabric;
  }

  @Override
  public void handle(HttpServerRequest req) {
    long startNanos = System.nanoTime();
    Admission admission = Admission.of(req, hopMarker, "a backend or registry record");
    String requestId = admission.requestId();
    if (admission.refusal() != null) {
      reject(req, admission.refusal(), null, null, requestId, startNanos);
      return;
    }
    String path = admission.path();
    RoutingState state = states.current();
    Route route = state.apis().match(req.method(), path);
    if (route == null) {
      String api = state.apis().apiId(path);
      reject(req, new Failure.OperationNotFound(api == null
        ? "no API matches the path " + path
        : "API '" + api + "' has no operation matching " + req.method() + " " + path), api, null, requestId, startNanos);
      return;
    }
    observer.started(route.apiId());
    String rest = path.substring(route.prefixLength());
    new Exchange(vertx, client, observer, state, req, route, TargetSources.of(route, req, rest, fabric), path, rest,
      req.query(), requestId, via, startNanos, route.backend().affinityCookie()).start();
  }

  private void reject(HttpServerRequest req, Failure failure, String apiId, String backend, String requestId,
                      long startNanos) {
    reject(observer, req, failure, apiId, backend, requestId, startNanos);
  }

  /** Answers a request the gateway will not forward, and reports it as one exchange. */
  static void reject(ExchangeObserver observer, HttpServerRequest req, Failure failure, String apiId, String backend,
                     String requestId, long startNanos) {
    String api = apiId == null ? ExchangeObserver.UNMATCHED : apiId;
    observer.started(api);
    if (!req.isEnded() && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      // the body will not be read: do not leave it in the connection for the next request
      // (an HTTP/2 stream ends on its own, and a Connection header is illegal there)
      req.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close");
    }
    Problems.send(req.response(), failure, backend, requestId).onComplete(ar -> observer.completed(
      new ExchangeObserver.Completion(requestId, api, null, backend, null, null, req.method(), req.path(),
        ar.succeeded() ? failure.status() : 0, failure.reason(), System.nanoTime() - startNanos,
        req.bytesRead(), req.response().bytesWritten(), 0)));
  }
}
