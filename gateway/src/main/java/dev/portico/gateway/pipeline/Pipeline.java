package dev.portico.gateway.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener's request path: its {@link Stage}s in order, assembled once per listener (per routing
 * verticle), run for each request with a new {@link RequestContext}. Both listeners share the front
 * half and the problem path ({@link RequestContext#reject}); they differ in how a request finds its
 * route and targets; both end with the forwarding exchange.
 *
 * <ol>
 *   <li>{@link FrontStages#requestId request id} (kept from {@code X-Request-ID} or generated);
 *   <li>{@link FrontStages#serverSpan server span} (only when tracing is on): before anything can
 *       refuse the request;
 *   <li>{@link FrontStages#admission admission}: loop check ({@code Via}), path normalization;
 * </ol>
 *
 * then, on the traffic listener ({@link #traffic}):
 *
 * <ol start="4">
 *   <li>{@link RouteMatch}: the API and operation in the current routing snapshot (a CORS preflight
 *       no operation matches goes to the policies of the operation it announces, else 404);
 *   <li>{@link RequestValidation} (routes of APIs that validate against OpenAPI);
 *   <li>{@link FrontStages#routed routed}: the request counts as in flight for its API;
 *   <li>{@link PolicyStage} (routes with policies): refuse, answer, or go on with header edits and
 *       a rewrite;
 *   <li>{@link TargetStage}: a source from the route's compiled target choice (snapshot, or Service
 *       Fabric resolution);
 *   <li>{@link ForwardStage}: the {@link Exchange}, with its attempts and retry state machine.
 * </ol>
 *
 * and on the Service Fabric reverse-proxy listener ({@link #routedBy}): {@code
 * fabric.reverseproxy.ReverseProxyStage} (the service, key, selector, listener and time bound from
 * the URL; its own resend rules) and {@link ForwardStage}. No stage queries the registry, takes a
 * lock or blocks.
 */
public final class Pipeline implements Handler<HttpServerRequest> {

  private final ProxyContext listener;
  private final Stage[] stages;
  private final String apiLabel;
  private final String backendLabel;

  private Pipeline(
      ProxyContext listener, List<Stage> stages, String apiLabel, String backendLabel) {
    this.listener = listener;
    this.stages = stages.toArray(new Stage[0]);
    this.apiLabel = apiLabel;
    this.backendLabel = backendLabel;
  }

  /** The traffic listener's request path (APIs of the configuration). */
  public static Pipeline traffic(ProxyContext ctx) {
    List<Stage> stages = front(ctx, "a backend or registry record");
    stages.add(new RouteMatch(ctx.states()));
    stages.add(new RequestValidation());
    stages.add(FrontStages.routed(ctx.observer()));
    stages.add(new PolicyStage(ctx.escapedSlashes()));
    stages.add(TargetStage.INSTANCE);
    stages.add(new ForwardStage(ctx));
    return new Pipeline(ctx, stages, null, null);
  }

  /**
   * The request path of a listener that finds routes its own way (the Service Fabric reverse
   * proxy's {@code fabric.reverseproxy.ReverseProxyStage}): the front half, {@code route} (which
   * calls {@link RequestContext#routeTo}), the exchange.
   *
   * @param loopCause what would point a request back at this gateway, for a 508's detail
   * @param label the API and backend id of every request of the listener (metrics, access log,
   *     problems)
   */
  public static Pipeline routedBy(ProxyContext ctx, String loopCause, String label, Stage route) {
    List<Stage> stages = front(ctx, loopCause);
    stages.add(route);
    stages.add(new ForwardStage(ctx));
    return new Pipeline(ctx, stages, label, label);
  }

  /** The front half both listeners share. */
  private static List<Stage> front(ProxyContext ctx, String loopCause) {
    List<Stage> stages = new ArrayList<>();
    stages.add(FrontStages.requestId());
    if (ctx.tracing() != null) {
      stages.add(FrontStages.serverSpan(ctx.tracing()));
    }
    stages.add(FrontStages.admission(ctx.hopMarker(), ctx.escapedSlashes(), loopCause));
    return stages;
  }

  @Override
  public void handle(HttpServerRequest req) {
    new RequestContext(stages, listener, req, System.nanoTime(), apiLabel, backendLabel).start();
  }
}
