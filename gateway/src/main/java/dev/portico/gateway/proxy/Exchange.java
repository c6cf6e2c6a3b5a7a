package dev.portico.gateway.proxy;

import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.SingleBackend;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.gateway.resilience.RetryAfter;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client request and its attempts at the backend. Each attempt picks a target (pool member,
 * endpoint) whose breaker grants a permit, forwards the request, and reports the outcome to the
 * breaker. A failed attempt is retried, on another target when one exists, when the API's policy,
 * its budget and the body allow: a body is resent only when it was buffered (or never sent), so it
 * is never sent half or twice. Bodies stream with back-pressure both ways; only a body that may
 * be resent is buffered, within the policy's cap.
 *
 * <p>Everything runs on the client connection's event loop, so the state below needs no locking.
 */
final class Exchange {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final ExchangeObserver observer;
  private final RoutingState state;
  private final HttpServerRequest req;
  private final HttpServerResponse res;
  private final Route route;
  private final RetryPolicy retry;
  private final String path;
  private final String requestId;
  private final String via;
  private final long startNanos;
  private final String affinityCookie;
  private final String affinityToken;

  /** Body state: the client's body, if any, and whether it can still be (re)sent. */
  private final boolean hasBody;
  private final String contentLength;
  private Buffer bufferedBody;
  private boolean bodyStreamed;

  private final List<Target> tried = new ArrayList<>(2);
  private int attempts;
  /** The attempt whose events still count (0 between attempts): late events of an abandoned attempt are dropped. */
  private int live;
  private Target target;
  private CircuitBreaker.Permit permit;
  private HttpClientRequest upstream;
  private long attemptStart;
  private long timer = -1;
  private Failure lastFailure;
  /** The client has been answered (or is being), or is gone: attempts stop. */
  private boolean settled;
  private boolean completed;

  Exchange(Vertx vertx, HttpClient client, ExchangeObserver observer, RoutingState state, HttpServerRequest req,
           Route route, String path, String requestId, String via, long startNanos, String affinityCookie) {
    this.vertx = vertx;
    this.client = client;
    this.observer = observer;
    this.state = state;
    this.req = req;
    this.res = req.response();
    this.route = route;
    this.retry = route.retry();
    this.path = path;
    this.requestId = requestId;
    this.via = via;
    this.startNanos = startNanos;
    this.affinityCookie = affinityCookie;
    io.vertx.core.http.Cookie c = affinityCookie == null ? null : req.getCookie(affinityCookie);
    this.affinityToken = c == null ? null : c.getValue();
    this.contentLength = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.hasBody = contentLength != null
      ? !contentLength.equals("0")
      : req.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
  }

  void start() {
    req.pause();
    res.closeHandler(v -> clientGone());
    if (retry.enabled()) {
      retry.budget().recordRequest(startNanos);
    }
    if (hasBody && retry.enabled() && retry.allowsMethod(req.method()) && retry.buffers(parseLength(contentLength))) {
      // small enough to resend: read it whole first (bounded by the policy's cap via Content-Length)
      req.body().onComplete(ar -> {
        if (settled) {
          return;
        }
        if (ar.failed()) {
          clientGone();
          return;
        }
        bufferedBody = ar.result();
        attempt();
      });
      req.resume();
      return;
    }
    attempt();
  }

  private void attempt() {
    long now = System.nanoTime();
    Selection selection = state.select(route.backend(), now, tried, affinityToken);
    if (selection instanceof Selection.Unavailable u) {
      if (lastFailure != null) {
        // retrying found nowhere left to go: the client learns what actually happened
        fail(lastFailure, null);
      } else {
        long seconds = u.retryAfterNanos() < 0 ? -1 : Math.max(1, (TimeUnit.NANOSECONDS.toMillis(u.retryAfterNanos()) + 999) / 1000);
        fail(new Failure.BackendUnavailable(u.detail(), seconds), null);
      }
      return;
    }
    Selection.Chosen chosen = (Selection.Chosen) selection;
    target = chosen.target();
    permit = chosen.permit();
    tried.add(target);
    attempts++;
    final int attemptNo = attempts;
    live = attemptNo;
    SingleBackend backend = target.backend();
    Endpoint endpoint = target.endpoint();
    target.state().requestStarted();
    attemptStart = now;
    upstream = null;
    timer = vertx.setTimer(backend.responseTimeoutMs(), t -> {
      if (attemptNo == live) {
        timer = -1;
        attemptFailed(new Failure.Timeout(describe() + " sent no response within " + backend.responseTimeoutMs() + " ms"), null);
      }
    });
    RequestOptions options = new RequestOptions()
      .setMethod(req.method())
      .setHost(endpoint.host())
      .setPort(endpoint.port())
      .setURI(upstreamUri(backend, endpoint))
      .setConnectTimeout(backend.connectTimeoutMs());
    if (endpoint.ssl()) {
      options.setSsl(true).setSslOptions(backend.sslOptions());
    }
    client.request(options).onComplete(ar -> {
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

  private String upstreamUri(SingleBackend backend, Endpoint endpoint) {
    String rest = path.substring(route.prefixLength());
    String query = req.query();
    String credentialQuery = backend.credentialQuery();
    StringBuilder uri = new StringBuilder(endpoint.basePath().length() + rest.length() + 32);
    uri.append(endpoint.basePath()).append(rest);
    if (uri.length() == 0) {
      uri.append('/');
    }
    if (query != null) {
      uri.append('?').append(query);
    }
    if (!credentialQuery.isEmpty()) {
      uri.append(query == null ? '?' : '&').append(credentialQuery);
    }
    return uri.toString();
  }

  private void send(HttpClientRequest up, int attemptNo) {
    upstream = up;
    MultiMap h = up.headers();
    h.addAll(req.headers());
    ProxyHeaders.dropHopByHop(h);
    h.remove(HttpHeaders.HOST);
    // 100-continue is answered by the gateway itself (the server handles it automatically)
    h.remove(HttpHeaders.EXPECT);
    ProxyHeaders.addForwarded(h, req);
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    ProxyHeaders.append(h, ProxyHeaders.VIA, via);
    target.backend().applyCredentialHeaders(h);
    up.response().onComplete(ar -> {
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
      if (attemptNo == 1) {
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
    // endOnFailure(false): a client that vanishes mid-upload must not look like a complete body
    req.pipe().endOnFailure(false).to(up).onFailure(err -> up.reset(0, err));
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
    long now = System.nanoTime();
    long retryAfter = status == 429 || status == 503
      ? RetryAfter.parseNanos(upRes.getHeader(HttpHeaders.RETRY_AFTER), Instant.now()) : -1;
    endAttempt(now, status, null, retryAfter);
    if (retry.retriesOnStatus(status) && mayRetry(!bodyStreamed)) {
      discard(upRes);
      retryLater("status:" + status);
      return;
    }
    settled = true;
    res.setStatusCode(status);
    if (upRes.statusMessage() != null) {
      res.setStatusMessage(upRes.statusMessage());
    }
    MultiMap h = res.headers();
    h.addAll(upRes.headers());
    ProxyHeaders.dropHopByHop(h);
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    if (affinityCookie != null && !target.token().equals(affinityToken)) {
      res.addCookie(Cookie.cookie(affinityCookie, target.token()).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX));
    }
    if (!h.contains(HttpHeaders.CONTENT_LENGTH) && bodyAllowed(status)) {
      res.setChunked(true);
    }
    upRes.pipe().endOnFailure(false).to(res).onComplete(done -> {
      if (done.succeeded()) {
        complete(res.getStatusCode(), null);
        return;
      }
      // the backend broke off mid-body (or the client left): the client must not see a truncated body as complete
      log.debug("response stream aborted: backend={} endpoint={} requestId={} cause={}",
        target.backend().id(), target.endpoint().key(), requestId, done.cause().getClass().getSimpleName());
      res.reset();
      upRes.exceptionHandler(e -> { });
      upRes.request().reset();
      complete(0, res.closed() ? "ClientConnectionFailure" : "BackendConnectionFailure");
    });
  }

  /** An attempt failed before its response: report it, then retry or answer the client. */
  private void attemptFailed(Failure failure, Throwable cause) {
    if (settled) {
      return;
    }
    cancelTimer();
    // end the attempt first: the reset below fails its response future, whose callback must then be ignored
    endAttempt(System.nanoTime(), 0, failure.reason(), -1);
    if (upstream != null) {
      upstream.reset();
    }
    // log the exception's type only: messages of some exceptions carry the upstream URI (and so credential query values)
    log.debug("attempt {} failed: reason={} backend={} endpoint={} requestId={} cause={}", attempts, failure.reason(),
      target.backend().id(), target.endpoint().key(), requestId, cause == null ? "-" : cause.getClass().getName());
    lastFailure = failure;
    // a failure before sending (connect phase) leaves even a streamed body whole in the client connection
    if (retry.retriesOnReason(failure.reason()) && mayRetry(!bodyStreamed)) {
      retryLater(failure.reason());
      return;
    }
    fail(failure, cause);
  }

  /** Reports the attempt's outcome to the breaker, the in-flight count and the observer. */
  private void endAttempt(long now, int status, String reason, long retryAfterNanos) {
    live = 0;
    target.state().requestEnded();
    target.state().breaker().onResult(permit, now, status, reason, retryAfterNanos);
    permit = CircuitBreaker.Permit.DENIED;
    observer.attempt(target.backend().id(), target.endpoint().key(), now - attemptStart, status, reason);
  }

  private boolean mayRetry(boolean bodyIntact) {
    if (settled || attempts > retry.maxRetries() || !retry.allowsMethod(req.method())) {
      return false;
    }
    if (hasBody && bufferedBody == null && (!bodyIntact || !RetryPolicy.idempotent(req.method()))) {
      // an unbuffered body can go again only if none of it left, and only for an idempotent method
      return false;
    }
    return retry.budget().tryRetry(System.nanoTime());
  }

  private void retryLater(String reason) {
    observer.retried(route.apiId(), route.backend().id(), reason);
    long delay = retry.backoffMillis(attempts);
    vertx.setTimer(delay, t -> {
      if (!settled) {
        attempt();
      }
    });
  }

  /** Reads and drops a response nobody will see, so its pooled connection can serve the next request. */
  private static void discard(HttpClientResponse upRes) {
    upRes.exceptionHandler(e -> { });
    upRes.handler(b -> { });
    upRes.resume();
  }

  private boolean bodyAllowed(int status) {
    return req.method() != HttpMethod.HEAD && status != 204 && status != 304 && (status < 100 || status >= 200);
  }

  private void clientGone() {
    if (completed || settled && res.ended()) {
      return;
    }
    boolean midAttempt = !settled && live != 0;
    settled = true;
    cancelTimer();
    if (upstream != null) {
      upstream.reset();
    }
    if (midAttempt) {
      // the client left, not the backend: free the probe slot, count nothing against the endpoint
      live = 0;
      target.state().requestEnded();
      target.state().breaker().release(permit);
      permit = CircuitBreaker.Permit.DENIED;
    }
    log.debug("client went away: reason=ClientConnectionFailure backend={} requestId={}", route.backend().id(), requestId);
    complete(0, "ClientConnectionFailure");
  }

  private void fail(Failure failure, Throwable cause) {
    if (settled) {
      return;
    }
    settled = true;
    cancelTimer();
    if (!req.isEnded()) {
      // the body was not (fully) read: do not leave it in the connection for the next request
      res.putHeader(HttpHeaders.CONNECTION, "close");
    }
    Problems.send(res, failure, route.backend().id(), requestId)
      .onComplete(ar -> complete(ar.succeeded() ? failure.status() : 0, failure.reason()));
    req.resume();
  }

  /** Reports the end of the exchange to the observer, once. */
  private void complete(int status, String reason) {
    if (completed) {
      return;
    }
    completed = true;
    observer.completed(new ExchangeObserver.Completion(requestId, route.apiId(), route.operationId(), route.backend().id(),
      target == null ? null : target.endpoint().key(), target == null ? null : target.endpoint().instanceId(),
      req.method(), path, status, reason, System.nanoTime() - startNanos, req.bytesRead(), res.bytesWritten(), attempts));
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private String describe() {
    return "backend '" + target.backend().id() + "' (" + target.endpoint().key() + ")";
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
      return new Failure.BackendConnectionFailure("could not connect to " + target + " within "
        + this.target.backend().connectTimeoutMs() + " ms");
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
    return new Failure.BackendConnectionFailure("could not connect to " + target + " (" + t.getClass().getSimpleName() + ")");
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
      return new Failure.BackendConnectionFailure("connection to " + target + " closed before the response");
    }
    return new Failure.BackendConnectionFailure("connection to " + target + " failed before the response ("
      + t.getClass().getSimpleName() + ")");
  }
}
