package dev.portico.gateway.pipeline;

import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.target.TargetSource;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the stages of one request know about it, filled in as it goes through them: its request id
 * and server span (front half), its normalized path, the routing snapshot it was matched against
 * and its route, the body request validation already read, what the policies asked (header edits,
 * the backend path and query), and where its attempts go ({@link TargetSource}). One per request,
 * confined to the request's event loop, so it needs no locking. The exchange copies what it needs
 * when it starts; target sources see an immutable {@code AttemptContext}.
 */
public final class RequestContext {

  private final Stage[] stages;

  /** The index of the stage the request is in. */
  private int at;

  final ProxyContext listener;
  final HttpServerRequest req;
  final long startNanos;

  String requestId;

  /** The request's spans; {@code null} when tracing is off. */
  RequestSpan span;

  /** The normalized path (set by admission). */
  String path;

  /** The routing snapshot the request was matched against, and its route. */
  RoutingState state;

  Route route;

  /**
   * The API and backend labels of a refusal by {@link #reject}: the listener's, then the matched
   * API's.
   */
  String rejectApi;

  String rejectBackend;

  /**
   * The refusal of a request the policies let through, or {@code null}: a CORS preflight no
   * operation matches is only the policies' to answer.
   */
  Failure unlessLetThrough;

  /** The body request validation read whole (forwarded as is), or {@code null} to stream it. */
  Buffer body;

  /**
   * What follows the backend's base path: {@code forwardPath} from {@code forwardFrom} on (the
   * common case is the request path after the API prefix, with no substring made); and the query to
   * forward ({@code null}: none).
   */
  String forwardPath;

  int forwardFrom;

  String forwardQuery;

  /** What the policies asked of the request (header edits), told how the exchange ended. */
  PolicyStage.Passed policy = PolicyStage.Passed.NONE;

  /** Where the request's attempts go. */
  TargetSource source;

  /** A stage paused the request while it waited: the exchange resumes it ({@link #pause}). */
  boolean paused;

  RequestContext(
      Stage[] stages,
      ProxyContext listener,
      HttpServerRequest req,
      long startNanos,
      String apiLabel,
      String backendLabel) {
    this.stages = stages;
    this.listener = listener;
    this.req = req;
    this.startNanos = startNanos;
    this.rejectApi = apiLabel;
    this.rejectBackend = backendLabel;
  }

  /**
   * Pauses the request while a stage waits for something (its body must neither be lost nor read
   * meanwhile); the exchange resumes it.
   */
  void pause() {
    req.pause();
    paused = true;
  }

  /** Runs the first stage. */
  void start() {
    stages[0].apply(this);
  }

  /** Goes on with the next stage (the last one, the exchange, never calls it). */
  public void next() {
    stages[++at].apply(this);
  }

  /**
   * Refuses the request with {@code failure}'s problem document (the request goes no further),
   * ending its server span, and reports it as one exchange of the listener's or the matched API.
   */
  public void reject(Failure failure) {
    Rejections.reject(
        listener.observer(), req, failure, rejectApi, rejectBackend, requestId, startNanos, span);
  }

  /**
   * A listener's own route stage found where the request goes: to {@code route}'s backend, its
   * targets from {@code source}, with the current routing snapshot (the breakers' states).
   *
   * @param forwardPath what follows the backend's base path ({@code ""} or starting with {@code /})
   * @param forwardQuery the query to forward, or {@code null}
   */
  public void routeTo(Route route, TargetSource source, String forwardPath, String forwardQuery) {
    this.state = listener.states().current();
    this.route = route;
    this.source = source;
    this.forwardPath = forwardPath;
    this.forwardFrom = 0;
    this.forwardQuery = forwardQuery;
  }

  /** The listener's observer. */
  public ExchangeObserver observer() {
    return listener.observer();
  }

  public HttpServerRequest request() {
    return req;
  }

  public String requestId() {
    return requestId;
  }

  /** When the request was accepted ({@link System#nanoTime()}). */
  public long startNanos() {
    return startNanos;
  }

  /** The request's spans, {@code null} when tracing is off. */
  public RequestSpan span() {
    return span;
  }

  /** The normalized request path ({@code null} before admission). */
  public String path() {
    return path;
  }

  /** The matched route ({@code null} before the match). */
  public Route route() {
    return route;
  }

  /** The routing snapshot the request was matched against ({@code null} before the match). */
  public RoutingState state() {
    return state;
  }
}
