package dev.portico.gateway.pipeline;

import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.Upstream;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.problem.ErrorReason;
import dev.portico.gateway.protocol.LeasedConnections;
import dev.portico.gateway.protocol.Protocols;
import dev.portico.gateway.protocol.grpc.BodyCopy;
import dev.portico.gateway.protocol.grpc.GrpcCalls;
import dev.portico.gateway.protocol.grpc.GrpcStatus;
import dev.portico.gateway.protocol.websocket.WebSocketUpgrade;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.gateway.resilience.RetryAfter;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.target.AttemptContext;
import dev.portico.gateway.target.TargetSource;
import dev.portico.gateway.tracing.RequestSpan;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request and its attempts at the backend. Where each attempt goes, and whether a failed
 * one is tried again, is its {@link TargetSource}'s business (the routing snapshot for Single and
 * Pool backends, resolution and re-resolution for Service Fabric); the exchange forwards the
 * request, reports each outcome to the target's breaker and the observer, and guards the body: it
 * is resent only when it was buffered (or never sent), so it is never sent half or twice. Bodies
 * stream with back-pressure both ways; only a body that may be resent is buffered, within the
 * source's cap.
 *
 * <p>Everything runs on the client connection's event loop, so the state below needs no locking;
 * what a source completes elsewhere is brought back to the loop first.
 */
final class Exchange extends Deadlines.Waiter implements Handler<Buffer> {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);
  private static final io.vertx.core.Handler<Throwable> IGNORE = e -> {};

  private final Vertx vertx;
  private final HttpClient client;

  /** The loop's exchange timeouts: the response timeout, then the body's idle timeout. */
  private final Deadlines deadlines;

  private final ProxyHeaders.Forwarding forwarding;
  private final ExchangeObserver observer;
  private final HttpServerRequest req;
  private final HttpServerResponse res;
  private final Route route;
  private final TargetSource source;
  private final String path;

  /**
   * What follows the endpoint's base path upstream: {@code forwardPath} from {@code forwardFrom} on
   * (no substring made for it).
   */
  private final String forwardPath;

  private final int forwardFrom;
  private final String forwardQuery;
  private final String requestId;
  private final String via;
  private final long startNanos;
  private final String affinityCookie;
  private final String affinityToken;

  /**
   * What the route's policies asked (header edits both ways) and their run, told how the exchange
   * ended.
   */
  private final PolicyStage.Passed policy;

  /** Body state: the client's body, if any, and whether it can still be (re)sent. */
  private final boolean hasBody;

  /** A stage paused the request (it waited for something): the exchange resumes it. */
  private final boolean pausedByStage;

  private final String contentLength;
  private Buffer bufferedBody;
  private boolean bodyStreamed;

  private final List<Target> tried = new ArrayList<>(2);
  private int attempts;

  /**
   * The attempt whose events still count (0 between attempts): late events of an abandoned attempt
   * are dropped.
   */
  private int live;

  private Target target;
  private CircuitBreaker.Permit permit;
  private HttpClientRequest upstream;
  private long attemptStart;
  private long deadlineTimer = -1;
  private Failure lastFailure;

  /**
   * A response held while the source decides on a complaint about it: the answer if the time bound
   * passes meanwhile.
   */
  private HttpClientResponse held;

  /** The client has been answered (or is being), or is gone: attempts stop. */
  private boolean settled;

  private boolean completed;

  /**
   * The request's spans; {@code null} when tracing is off (then every tracing hook is one null
   * check).
   */
  private final RequestSpan trace;

  /** What the target source sees of this exchange. */
  private final AttemptContext view;

  // --- issue 14 (protocols): set in the constructor from the listener; the logic lives in
  // dev.portico.gateway.protocol ---
  /**
   * The verticle's clients by backend protocol and its WebSocket sessions; {@code null}: HTTP/1.1
   * only.
   */
  private Protocols protocols;

  /** The route's WebSocket rule when this request is a handshake it allows, else {@code null}. */
  private WebSocketConfig webSocket;

  /** The request is a gRPC call ({@code content-type: application/grpc*}). */
  private boolean grpc;

  /**
   * gRPC: a response whose {@code grpc-status} comes in its trailers keeps its breaker permit until
   * then.
   */
  private CircuitBreaker.Permit trailerPermit;

  /**
   * gRPC: a copy of the streamed body, for a retry on a status the API names ({@code
   * retry.grpcStatuses}).
   */
  private BodyCopy bodyCopy;

  /**
   * The backend's response being streamed to the client (its body is under the idle timeout; a gRPC
   * call's deadline still bounds it), or {@code null}.
   */
  private HttpClientResponse streaming;

  /** The streamed response body ended or broke off: later events of it are ignored. */
  private boolean bodyDone;

  /**
   * Bytes of the streamed body still to come when its length is known and its last chunk can end
   * the client's response at once (one write to the client instead of two); -1 otherwise.
   */
  private long bodyLeft = -1;

  /** Told whether each chunk written to the client went out (made once, not per chunk). */
  private final Handler<AsyncResult<Void>> writeAck =
      ar -> {
        if (ar.failed()) {
          bodyFailed(ar.cause());
        }
      };

  /** gRPC: the deadline passed while the response streamed. */
  private boolean grpcDeadlinePassed;

  /**
   * The exchange of the request {@code rc} went through the stages with: its route, snapshot,
   * target source, the path and query to forward, the policies' edits, the body validation read.
   */
  Exchange(ProxyContext listener, RequestContext rc) {
    this.vertx = listener.vertx();
    this.client = listener.client();
    this.deadlines = listener.deadlines();
    this.forwarding = listener.forwarding();
    this.observer = listener.observer();
    this.via = listener.via();
    this.req = rc.req;
    this.res = req.response();
    this.route = rc.route;
    this.source = rc.source;
    this.path = rc.path;
    this.forwardPath = rc.forwardPath;
    this.forwardFrom = rc.forwardFrom;
    this.forwardQuery = rc.forwardQuery;
    this.requestId = rc.requestId;
    this.startNanos = rc.startNanos;
    this.policy = rc.policy;
    this.trace = rc.span;
    // a body request validation read whole is sent as is, and can be resent
    this.bufferedBody = rc.body;
    this.affinityCookie = route.backend().affinityCookie();
    Cookie c = affinityCookie == null ? null : req.getCookie(affinityCookie);
    String affinityToken = c == null ? null : c.getValue();
    this.affinityToken = affinityToken;
    this.contentLength = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.hasBody =
        contentLength != null
            ? !contentLength.equals("0")
            : req.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
    this.pausedByStage = rc.paused;
    this.view =
        new AttemptContext(
            vertx,
            rc.state,
            route.backend(),
            route.retry(),
            req.method(),
            affinityToken,
            observer,
            trace,
            Collections.unmodifiableList(tried));
    // --- issue 14 hook (protocols): HTTP/2 backends, WebSocket handshakes the route allows, gRPC
    // calls ---
    this.protocols = listener.protocols();
    if (protocols != null) {
      webSocket =
          route.webSocket() != null && WebSocketUpgrade.isHandshake(req) ? route.webSocket() : null;
      grpc = GrpcCalls.isCall(req);
    }
  }

  // --- the exchange -------------------------------------------------------------------------

  void start() {
    if (hasBody) {
      // nothing of it may be read before an attempt takes it (or it is buffered for resends); a
      // bodiless request needs no pause (nor a resume)
      req.pause();
    }
    res.closeHandler(v -> clientGone());
    // until the body is piped (the pipe takes this over), a broken body reaches the exchange here
    req.exceptionHandler(this::requestBroken);
    source.started(view, startNanos);
    // issue 14: a gRPC call's grpc-timeout is its deadline (within the source's own bound)
    long deadline =
        grpc ? GrpcCalls.deadlineMillis(req, source.deadlineMillis()) : source.deadlineMillis();
    if (deadline > 0) {
      deadlineTimer =
          vertx.setTimer(
              deadline,
              t -> {
                deadlineTimer = -1;
                deadlinePassed(deadline);
              });
    }
    if (bufferedBody == null
        && hasBody
        && source.buffers(view, req.method(), parseLength(contentLength))) {
      // small enough to resend: read it whole first (bounded by the source's cap via
      // Content-Length)
      req.body()
          .onComplete(
              ar -> {
                if (settled) {
                  return;
                }
                if (ar.failed()) {
                  if (!requestBroken(ar.cause())) {
                    clientGone();
                  }
                  return;
                }
                bufferedBody = ar.result();
                attempt(source.first(view, System.nanoTime()));
              });
      req.resume();
      return;
    }
    attempt(source.first(view, System.nanoTime()));
  }

  private void attempt(Selection selection) {
    if (settled) {
      if (selection instanceof Selection.Chosen c) {
        c.target().state().breaker().release(c.permit());
      }
      return;
    }
    if (selection instanceof Selection.Unavailable u) {
      if (lastFailure != null) {
        // retrying found nowhere left to go: the client learns what actually happened
        fail(lastFailure, null);
      } else {
        long seconds =
            u.retryAfterNanos() < 0
                ? -1
                : Math.max(1, (TimeUnit.NANOSECONDS.toMillis(u.retryAfterNanos()) + 999) / 1000);
        fail(new Failure.BackendUnavailable(u.detail(), seconds), null);
      }
      return;
    }
    if (selection instanceof Selection.Unresolved u) {
      fail(
          lastFailure != null
              ? lastFailure
              : new Failure.PartitionResolutionFailure(u.status(), u.detail(), u.errorCode()),
          null);
      return;
    }
    Selection.Chosen chosen = (Selection.Chosen) selection;
    long now = System.nanoTime();
    target = chosen.target();
    permit = chosen.permit();
    tried.add(target);
    attempts++;
    final int attemptNo = attempts;
    live = attemptNo;
    Upstream backend = target.upstream();
    Endpoint endpoint = target.endpoint();
    target.requestStarted();
    attemptStart = now;
    if (trace != null) {
      trace.attemptStarted(
          attemptNo,
          backend.id(),
          endpoint.host(),
          endpoint.port(),
          endpoint.instanceId(),
          source.place(target));
    }
    upstream = null;
    // no response headers within the response timeout: expired() fails the attempt
    deadlines.wait(this, backend.responseTimeoutMs(), now);
    // issue 14: HTTP/2 backends have clients of their own; a WebSocket handshake always goes over
    // HTTP/1.1
    HttpClient via =
        protocols == null ? client : protocols.clients().of(backend.protocol(), webSocket != null);
    // issue 13: a cleartext HTTP/1.1 request leases its connection (which has the host and port)
    LeasedConnections leases =
        via == client && webSocket == null && !endpoint.ssl() && protocols != null
            ? protocols.clients().leases()
            : null;
    RequestOptions options =
        new RequestOptions().setMethod(req.method()).setURI(upstreamUri(backend, endpoint));
    Future<HttpClientRequest> request;
    if (leases != null) {
      request =
          leases.request(
              endpoint.key(),
              endpoint.host(),
              endpoint.port(),
              backend.connectTimeoutMs(),
              options);
    } else {
      options
          .setHost(endpoint.host())
          .setPort(endpoint.port())
          .setConnectTimeout(backend.connectTimeoutMs());
      if (endpoint.ssl()) {
        options.setSsl(true).setSslOptions(backend.sslOptions());
      }
      request = via.request(options);
    }
    request.onComplete(
        ar -> {
          if (ar.succeeded()) {
            // failures reach the exchange through the response future; without a handler Vert.x
            // would also log every deliberate reset (timeout, client gone, retry) as an error
            ar.result().exceptionHandler(IGNORE);
          }
          if (attemptNo != live || settled) {
            if (ar.succeeded()) {
              ar.result().reset();
            }
            return;
          }
          if (ar.succeeded()) {
            send(ar.result(), attemptNo);
          } else {
            attemptFailed(connectFailure(ar.cause()), ar.cause());
          }
        });
  }

  private String upstreamUri(Upstream backend, Endpoint endpoint) {
    String credentialQuery = backend.credentialQuery();
    int restLength = forwardPath.length() - forwardFrom;
    if (restLength > 0
        && forwardQuery == null
        && credentialQuery.isEmpty()
        && endpoint.basePath().isEmpty()) {
      // the common case needs no building: the path itself, or its rest after the API prefix
      return forwardFrom == 0 ? forwardPath : forwardPath.substring(forwardFrom);
    }
    StringBuilder uri = new StringBuilder(endpoint.basePath().length() + restLength + 32);
    uri.append(endpoint.basePath()).append(forwardPath, forwardFrom, forwardPath.length());
    if (uri.length() == 0) {
      uri.append('/');
    }
    if (forwardQuery != null) {
      uri.append('?').append(forwardQuery);
    }
    if (!credentialQuery.isEmpty()) {
      uri.append(forwardQuery == null ? '?' : '&').append(credentialQuery);
    }
    return uri.toString();
  }

  private void send(HttpClientRequest up, int attemptNo) {
    upstream = up;
    MultiMap h = up.headers();
    // (the new request's headers are empty: setAll copies entry by entry, without addAll's
    // intermediate list)
    h.setAll(req.headers());
    if (!policy.requestHeaders().isEmpty()) {
      // before the hygiene below: whatever a policy sets, hop-by-hop headers and Host still go
      PolicyStage.applyRequestEdits(policy.requestHeaders(), h);
    }
    ProxyHeaders.dropHopByHop(h);
    h.remove(HttpHeaders.HOST);
    // 100-continue is answered by the gateway itself (the server handles it automatically)
    h.remove(HttpHeaders.EXPECT);
    h.remove(ProxyHeaders.X_PORTICO_SF_RETRIES);
    forwarding.addForwarded(h, req);
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    ProxyHeaders.append(h, ProxyHeaders.VIA, via);
    target.upstream().applyCredentialHeaders(h);
    if (trace != null) {
      trace.inject(h);
    }
    // --- issue 14 hook (protocols) ---
    if (webSocket != null) {
      // the handshake, then the connection becomes the session's (or the backend answers plain
      // HTTP)
      WebSocketUpgrade.restoreRequestHeaders(h);
      up.connect()
          .onComplete(
              ar -> {
                if (attemptNo == live) {
                  onResponse(ar);
                } else if (ar.succeeded()) {
                  discard(ar.result());
                }
              });
      if (attemptNo == 1) {
        req.resume();
      }
      return;
    }
    if (grpc) {
      // gRPC servers require it (it announces that the client reads trailers); hop-by-hop hygiene
      // dropped it
      h.set(GrpcCalls.TE, GrpcCalls.TRAILERS);
    }
    up.response()
        .onComplete(
            ar -> {
              if (attemptNo == live) {
                onResponse(ar);
              } else if (ar.succeeded()) {
                discard(ar.result());
              }
            });
    if (!hasBody) {
      if (contentLength != null) {
        h.set(HttpHeaders.CONTENT_LENGTH, "0");
      }
      up.end();
      if (attemptNo == 1 && pausedByStage) {
        req.resume();
      }
      return;
    }
    if (bufferedBody != null) {
      h.set(HttpHeaders.CONTENT_LENGTH, String.valueOf(bufferedBody.length()));
      up.end(bufferedBody);
      return;
    }
    if (contentLength != null) {
      h.set(HttpHeaders.CONTENT_LENGTH, contentLength);
    } else {
      up.setChunked(true);
    }
    bodyStreamed = true;
    if (grpc && attemptNo == 1 && route.retry().retriesOnGrpc() && bufferedBody == null) {
      // issue 14: a gRPC body has no length to decide on; a copy (within the limit) makes a retry
      // possible
      bodyCopy = new BodyCopy(up, route.retry().bufferBodyLimit());
    }
    // endOnFailure(false): a client that vanishes mid-upload must not look like a complete body
    req.pipe()
        .endOnFailure(false)
        .to(bodyCopy != null && attemptNo == 1 ? bodyCopy : up)
        .onFailure(
            err -> {
              if (!requestBroken(err)) {
                up.reset(0, err);
              }
            });
  }

  /**
   * The client's request broke off with a {@link RequestRefused} (a malformed chunked body, a body
   * that paused too long): the backend's request is reset (the client broke, not the backend: its
   * breaker learns nothing), and the client answered when the response has not started (Vert.x
   * closes the connection right after, and the edge flushes the answer first).
   *
   * @return whether it was such a failure (else the connection was lost, which the close handler
   *     reports)
   */
  private boolean requestBroken(Throwable err) {
    if (!(err instanceof RequestRefused refused)) {
      return false;
    }
    if (settled) {
      return true;
    }
    if (live != 0) {
      cancelTimer();
      live = 0;
      target.requestEnded();
      target.state().breaker().release(permit);
      permit = CircuitBreaker.Permit.DENIED;
    }
    if (upstream != null) {
      upstream.reset(0, refused);
    }
    log.debug(
        "request refused mid-body: status={} backend={} requestId={} detail={}",
        refused.status(),
        route.backend().id(),
        requestId,
        refused.getMessage());
    fail(Failure.of(refused), refused);
    return true;
  }

  private void onResponse(AsyncResult<HttpClientResponse> ar) {
    if (settled) {
      if (ar.succeeded()) {
        discard(ar.result());
      }
      return;
    }
    cancelTimer();
    if (ar.failed()) {
      attemptFailed(responseFailure(ar.cause()), ar.cause());
      return;
    }
    HttpClientResponse upRes = ar.result();
    int status = upRes.statusCode();
    if (webSocket != null && status == 101) {
      upgraded(upRes);
      return;
    }
    long now = System.nanoTime();
    long retryAfter =
        status == 429 || status == 503
            ? RetryAfter.parseNanos(upRes.getHeader(HttpHeaders.RETRY_AFTER), Instant.now())
            : -1;
    if (grpc && status == 200 && GrpcCalls.statusInTrailers(upRes.headers())) {
      // issue 14: the call's outcome is in the trailers: the breaker hears it then (forward)
      trailerPermit = permit;
      permit = CircuitBreaker.Permit.DENIED;
    }
    endAttempt(now, status, null, retryAfter, grpc ? GrpcCalls.status(upRes.headers()) : null);
    if (source.complains(view, status, null, upRes.headers()) && canResend()) {
      // hold the response (its body is buffered by the paused stream) until the source decides
      upRes.pause();
      complain(status, null, upRes);
      return;
    }
    forward(upRes);
  }

  /** Sends the backend's response to the client, streaming its body. */
  private void forward(HttpClientResponse upRes) {
    settled = true;
    if (!grpc) {
      cancelDeadline();
    }
    // issue 14: a gRPC call's deadline also bounds its streaming response (deadlinePassed)
    streaming = upRes;
    int status = upRes.statusCode();
    res.setStatusCode(status);
    String message = upRes.statusMessage();
    if (message != null && !message.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
      // (the standard phrase is what the response has anyway: no status line of our own to build)
      res.setStatusMessage(message);
    }
    MultiMap h = res.headers();
    // (the response's headers are empty: setAll copies entry by entry, without addAll's
    // intermediate list)
    h.setAll(upRes.headers());
    ProxyHeaders.dropHopByHop(h);
    if (!policy.responseHeaders().isEmpty()) {
      PolicyStage.applyResponseEdits(policy.responseHeaders(), h);
    }
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    if (affinityCookie != null && !target.token().equals(affinityToken)) {
      res.addCookie(
          Cookie.cookie(affinityCookie, target.token())
              .setPath("/")
              .setHttpOnly(true)
              .setSameSite(CookieSameSite.LAX));
    }
    if (!h.contains(HttpHeaders.CONTENT_LENGTH) && bodyAllowed(status)) {
      res.setChunked(true);
    }
    // the body streams with back-pressure, this exchange being the chunk handler (no pipe, no
    // future per chunk); a backend that stalls mid-body must not hold the client forever: no data
    // for a response timeout breaks the stream off (expired(); the client connection is then
    // reset, as for any broken body)
    deadlines.wait(this, target.upstream().responseTimeoutMs(), System.nanoTime());
    if (upRes.version() != HttpVersion.HTTP_2 && bodyAllowed(status)) {
      // an HTTP/1.1 body of a known length has no trailers: its last byte is its end
      bodyLeft = parseLength(upRes.getHeader(HttpHeaders.CONTENT_LENGTH));
    }
    upRes.exceptionHandler(this::bodyFailed);
    upRes.endHandler(v -> bodyEnded());
    upRes.handler(this);
    upRes.resume();
  }

  /**
   * A chunk of the response body: to the client, pausing the backend while the client's connection
   * is full.
   */
  @Override
  public void handle(Buffer chunk) {
    if (bodyDone) {
      return;
    }
    if (bodyLeft > 0 && (bodyLeft -= chunk.length()) == 0) {
      // the last chunk: the response ends with it, in one write (bodyEnded only waits for it)
      bodyDone = true;
      cancelTimer();
      endResponse(res.end(chunk));
      return;
    }
    deadlines.renew(this, System.nanoTime());
    res.write(chunk).onComplete(writeAck);
    if (res.writeQueueFull()) {
      HttpClientResponse from = streaming;
      from.pause();
      res.drainHandler(v -> from.resume());
    }
  }

  /** The backend's body ended: its trailers (issue 14: gRPC's status) follow, then the end. */
  private void bodyEnded() {
    if (bodyDone) {
      return;
    }
    bodyDone = true;
    cancelTimer();
    HttpClientResponse upRes = streaming;
    if (!upRes.trailers().isEmpty()) {
      res.trailers().addAll(upRes.trailers());
    }
    endResponse(res.end());
  }

  /** The client's response is ending ({@code end}): the exchange completes when it has. */
  private void endResponse(Future<Void> end) {
    end.onComplete(
        ar -> {
          if (ar.succeeded()) {
            if (trailerPermit != null) {
              // (only a gRPC call's outcome is in its trailers: no trailers map made otherwise)
              trailersOutcome(streaming.trailers());
            }
            complete(res.getStatusCode(), null);
          } else {
            bodyBroken(ar.cause());
          }
        });
  }

  /** The backend's body broke off, or the client could not be written to. */
  private void bodyFailed(Throwable cause) {
    if (bodyDone) {
      return;
    }
    bodyDone = true;
    cancelTimer();
    bodyBroken(cause);
  }

  private void bodyBroken(Throwable cause) {
    HttpClientResponse upRes = streaming;
    trailersOutcome(null);
    if (grpcDeadlinePassed && !res.closed()) {
      // issue 14: the call's deadline passed mid-stream: the client gets DEADLINE_EXCEEDED in the
      // trailers
      GrpcCalls.endWithStatus(
          res, GrpcStatus.DEADLINE_EXCEEDED, "Timeout: the call's deadline passed");
      complete(res.getStatusCode(), ErrorReason.TIMEOUT.label());
      return;
    }
    // the backend broke off mid-body (or the client left): the client must not see a truncated
    // body as complete
    log.debug(
        "response stream aborted: backend={} endpoint={} requestId={} cause={}",
        target.upstream().id(),
        target.endpoint().key(),
        requestId,
        cause.getClass().getSimpleName());
    res.reset();
    upRes.exceptionHandler(IGNORE);
    upRes.request().reset();
    complete(
        0,
        res.closed()
            ? ErrorReason.CLIENT_CONNECTION_FAILURE.label()
            : ErrorReason.BACKEND_CONNECTION_FAILURE.label());
  }

  /**
   * The response timeout passed: no response headers for the attempt, or no body data for that
   * long.
   */
  @Override
  void expired(long nowNanos) {
    long idleMs = target.upstream().responseTimeoutMs();
    if (streaming != null) {
      if (!bodyDone) {
        streaming
            .request()
            .reset(
                0, new TimeoutException(describe() + " sent no body data for " + idleMs + " ms"));
      }
    } else if (live != 0) {
      attemptFailed(
          new Failure.Timeout(describe() + " sent no response within " + idleMs + " ms"), null);
    }
  }

  /** An attempt failed before its response: report it, then retry or answer the client. */
  private void attemptFailed(Failure failure, Throwable cause) {
    if (settled) {
      return;
    }
    cancelTimer();
    // end the attempt first: the reset below fails its response future, whose callback must then be
    // ignored
    endAttempt(System.nanoTime(), 0, failure.reason(), -1);
    if (upstream != null) {
      upstream.reset();
    }
    // log the exception's type only: messages of some exceptions carry the upstream URI (and so
    // credential query values)
    log.debug(
        "attempt {} failed: reason={} backend={} endpoint={} requestId={} cause={}",
        attempts,
        failure.reason(),
        target.upstream().id(),
        target.endpoint().key(),
        requestId,
        cause == null ? "-" : cause.getClass().getName());
    lastFailure = failure;
    // a failure before sending (connect phase) leaves even a streamed body whole in the client
    // connection
    if (source.complains(view, 0, failure.reason(), null) && canResend()) {
      complain(0, failure.reason(), null);
      return;
    }
    fail(failure, cause);
  }

  /**
   * The source complained about an outcome (a failure, or the paused response {@code upRes}): it
   * decides, maybe asynchronously, whether and where to try again.
   */
  private void complain(int status, String reason, HttpClientResponse upRes) {
    Context loop = Vertx.currentContext();
    held = upRes;
    onLoop(
        loop,
        source.reconsider(view, status, reason),
        decided -> {
          boolean stillHeld = upRes != null && held == upRes;
          held = null;
          if (settled) {
            source.abandon();
            if (stillHeld) {
              discard(upRes);
            }
            return;
          }
          if (decided.succeeded() && decided.result()) {
            if (upRes != null) {
              discard(upRes);
            }
            observer.retried(
                route.apiId(), route.backend().id(), status > 0 ? "status:" + status : reason);
            if (trace != null) {
              trace.retried(status > 0 ? "status:" + status : reason);
            }
            onLoop(
                loop,
                source.next(view),
                next ->
                    attempt(
                        next.succeeded()
                            ? next.result()
                            : new Selection.Unavailable("no target for a resend", -1)));
          } else if (upRes != null) {
            forward(upRes);
          } else {
            fail(lastFailure, null);
          }
        });
  }

  /**
   * Runs {@code handler} on {@code loop} with {@code f}'s outcome (at once when it is already
   * there).
   */
  private static <T> void onLoop(Context loop, Future<T> f, Handler<AsyncResult<T>> handler) {
    f.onComplete(
        ar -> {
          if (loop == null || Vertx.currentContext() == loop) {
            handler.handle(ar);
          } else {
            loop.runOnContext(v -> handler.handle(ar));
          }
        });
  }

  /** Reports the attempt's outcome to the breaker, the in-flight count and the observer. */
  private void endAttempt(long now, int status, String reason, long retryAfterNanos) {
    endAttempt(now, status, reason, retryAfterNanos, null);
  }

  /**
   * @param grpcStatus a gRPC response's status (issue 14: breakers count the ones their rules
   *     name), or {@code null}
   */
  private void endAttempt(
      long now, int status, String reason, long retryAfterNanos, GrpcStatus grpcStatus) {
    live = 0;
    target.requestEnded();
    if (permit != CircuitBreaker.Permit.DENIED || trailerPermit == null) {
      target.state().breaker().onResult(permit, now, status, reason, retryAfterNanos, grpcStatus);
    }
    permit = CircuitBreaker.Permit.DENIED;
    if (trace != null) {
      Target t = target;
      trace.attemptEnded(
          status,
          reason,
          () ->
              observer.attempt(
                  route,
                  t.upstream().id(),
                  t.endpoint().key(),
                  now - attemptStart,
                  status,
                  reason));
      return;
    }
    observer.attempt(
        route, target.upstream().id(), target.endpoint().key(), now - attemptStart, status, reason);
  }

  /**
   * Whether the request can go again: no body, or a buffered one; an unbuffered body only if none
   * of it left (the attempt failed while connecting) and only for an idempotent method.
   */
  private boolean canResend() {
    if (settled) {
      return false;
    }
    if (!hasBody || bufferedBody != null) {
      return true;
    }
    if (bodyCopy != null && req.isEnded() && bodyCopy.whole()) {
      // issue 14: the gRPC body went out whole and a copy is kept: it is resent from the copy
      bufferedBody = bodyCopy.copy();
      bodyCopy = null;
      return true;
    }
    return !bodyStreamed && RetryPolicy.idempotent(req.method());
  }

  /**
   * Reads and drops a response nobody will see, so its pooled connection can serve the next
   * request.
   */
  private static void discard(HttpClientResponse upRes) {
    upRes.exceptionHandler(IGNORE);
    upRes.handler(b -> {});
    upRes.resume();
  }

  private boolean bodyAllowed(int status) {
    return req.method() != HttpMethod.HEAD
        && status != 204
        && status != 304
        && (status < 100 || status >= 200);
  }

  /** The source's bound on the whole exchange passed before a response could be sent: 504. */
  private void deadlinePassed(long deadlineMillis) {
    if (settled) {
      if (grpc && streaming != null && !completed) {
        // issue 14: a gRPC response still streaming when the call's deadline passes is cut off
        // (forward's pipe ends it)
        grpcDeadlinePassed = true;
        streaming.request().reset();
      }
      return;
    }
    if (held != null) {
      // the backend did answer; re-resolving was still deciding whether to resend: that answer it
      // is
      HttpClientResponse answer = held;
      held = null;
      forward(answer);
      return;
    }
    Failure timeout =
        new Failure.Timeout(
            "no response within the request's time bound of "
                + deadlineMillis
                + " ms"
                + (lastFailure == null ? "" : " (last attempt: " + lastFailure.detail() + ")"));
    if (live != 0) {
      cancelTimer();
      endAttempt(System.nanoTime(), 0, timeout.reason(), -1);
      if (upstream != null) {
        upstream.reset();
      }
    }
    fail(timeout, null);
  }

  private void clientGone() {
    if (completed || settled && res.ended()) {
      return;
    }
    boolean midAttempt = !settled && live != 0;
    settled = true;
    cancelTimer();
    cancelDeadline();
    if (upstream != null) {
      upstream.reset();
    }
    if (midAttempt) {
      // the client left, not the backend: free the probe slot, count nothing against the endpoint
      live = 0;
      target.requestEnded();
      target.state().breaker().release(permit);
      permit = CircuitBreaker.Permit.DENIED;
    }
    if (trailerPermit != null) {
      // a gRPC stream the client left: its outcome is unknown, the backend not to blame
      target.state().breaker().release(trailerPermit);
      trailerPermit = null;
    }
    log.debug(
        "client went away: reason=ClientConnectionFailure backend={} requestId={}",
        route.backend().id(),
        requestId);
    complete(0, ErrorReason.CLIENT_CONNECTION_FAILURE.label());
  }

  private void fail(Failure failure, Throwable cause) {
    if (settled) {
      return;
    }
    settled = true;
    cancelTimer();
    cancelDeadline();
    // the body was not (fully) read: do not leave it in the connection for the next request
    Problems.send(
            req,
            failure,
            route.backend().id(),
            requestId,
            !req.isEnded(),
            policy.responseHeaders(),
            trace == null ? null : trace.traceId())
        .onComplete(ar -> complete(ar.succeeded() ? failure.status() : 0, failure.reason()));
    // (an HTTP/2 request read to its end refuses a resume)
    if ((hasBody || pausedByStage) && !req.isEnded()) {
      req.resume();
    }
  }

  /**
   * Issue 14: the backend accepted a WebSocket handshake: the client gets the 101 (the backend's
   * accept key, subprotocol and extensions), then both connections become the session's. A 101 that
   * is no WebSocket accept counts as a failed handshake ({@code BackendConnectionFailure}).
   */
  private void upgraded(HttpClientResponse upRes) {
    if (!WebSocketUpgrade.accepted(upRes)) {
      attemptFailed(
          new Failure.BackendConnectionFailure(
              describe()
                  + " answered the WebSocket handshake with a 101"
                  + " that accepts no WebSocket"),
          null);
      return;
    }
    endAttempt(System.nanoTime(), 101, null, -1);
    settled = true;
    cancelDeadline();
    MultiMap h = res.headers();
    h.addAll(upRes.headers());
    ProxyHeaders.dropHopByHop(h);
    if (!policy.responseHeaders().isEmpty()) {
      PolicyStage.applyResponseEdits(policy.responseHeaders(), h);
    }
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    WebSocketUpgrade.acceptHeaders(res);
    // from here on the connection's events are the session's
    res.closeHandler(null);
    NetSocket backendSocket = upRes.netSocket();
    req.toNetSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                backendSocket.close();
                complete(0, ErrorReason.CLIENT_CONNECTION_FAILURE.label());
                return;
              }
              protocols
                  .sessions()
                  .open(
                      ar.result(),
                      backendSocket,
                      webSocket.idleTimeout().toMillis(),
                      observer.webSocketOpened(route.apiId()),
                      v -> complete(101, null));
            });
  }

  /**
   * Issue 14: a gRPC response whose status came in its trailers ({@code trailers}; {@code null}
   * when the stream broke off) reports to the breaker now, with the permit it kept.
   */
  private void trailersOutcome(MultiMap trailers) {
    if (trailerPermit == null) {
      return;
    }
    CircuitBreaker.Permit p = trailerPermit;
    trailerPermit = null;
    if (grpcDeadlinePassed) {
      // the call's deadline (the client's choice) cut it off: nothing learnt about the backend
      target.state().breaker().release(p);
    } else if (trailers == null) {
      target
          .state()
          .breaker()
          .onResult(
              p, System.nanoTime(), 0, ErrorReason.BACKEND_CONNECTION_FAILURE.label(), -1, null);
    } else {
      target
          .state()
          .breaker()
          .onResult(p, System.nanoTime(), 200, null, -1, GrpcCalls.status(trailers));
    }
  }

  /** Reports the end of the exchange to the observer, once. */
  private void complete(int status, String reason) {
    if (completed) {
      return;
    }
    completed = true;
    cancelDeadline();
    ExchangeObserver.Completion c =
        new ExchangeObserver.Completion(
            requestId,
            route.apiId(),
            route.operationId(),
            route.backend().id(),
            target == null ? null : target.endpoint().key(),
            target == null ? null : target.endpoint().instanceId(),
            req.method(),
            path,
            status,
            reason,
            System.nanoTime() - startNanos,
            req.bytesRead(),
            res.bytesWritten(),
            attempts,
            trace == null ? null : trace.traceId());
    // the policies first (a quota counts the exchange's bytes), then the observers: once metrics
    // see the exchange end, its policies have been told (the order PolicyStage's answers keep)
    policy.completed(status, req.bytesRead(), res.bytesWritten());
    if (trace != null) {
      trace.completed(status, reason, attempts, () -> observer.completed(c, route));
    } else {
      observer.completed(c, route);
    }
  }

  private void cancelTimer() {
    deadlines.cancel(this);
  }

  private void cancelDeadline() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private String describe() {
    return "backend '" + target.upstream().id() + "' (" + target.endpoint().key() + ")";
  }

  private static long parseLength(String contentLength) {
    if (contentLength == null) {
      return -1;
    }
    try {
      return Long.parseLong(contentLength.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Failure connectFailure(Throwable t) {
    String target = describe();
    if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
      return new Failure.BackendConnectionFailure(
          "could not connect to "
              + target
              + " within "
              + this.target.upstream().connectTimeoutMs()
              + " ms");
    }
    if (t instanceof UnknownHostException) {
      return new Failure.BackendConnectionFailure("could not resolve the host of " + target);
    }
    if (t instanceof SSLException) {
      return new Failure.BackendConnectionFailure("TLS handshake with " + target + " failed");
    }
    if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
      return new Failure.BackendConnectionFailure("connection to " + target + " refused");
    }
    return new Failure.BackendConnectionFailure(
        "could not connect to " + target + " (" + t.getClass().getSimpleName() + ")");
  }

  private Failure responseFailure(Throwable t) {
    String target = describe();
    if (t instanceof TimeoutException) {
      return new Failure.Timeout(target + " sent no response in time");
    }
    if (t instanceof SSLException) {
      return new Failure.BackendConnectionFailure("TLS handshake with " + target + " failed");
    }
    if (t instanceof HttpClosedException) {
      return new Failure.BackendConnectionFailure(
          "connection to " + target + " closed before the response");
    }
    return new Failure.BackendConnectionFailure(
        "connection to "
            + target
            + " failed before the response ("
            + t.getClass().getSimpleName()
            + ")");
  }
}
