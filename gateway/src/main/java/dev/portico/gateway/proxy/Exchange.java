package dev.portico.gateway.proxy;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.routing.Route;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
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
import java.util.concurrent.TimeoutException;

/**
 * One forwarded request/response: opens the backend request, streams the client's body to it
 * and the backend's response back, both with back-pressure (pipes), never buffering a body whole.
 * Everything runs on the client connection's event loop, so the state below needs no locking.
 */
final class Exchange {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final ExchangeObserver observer;
  private final HttpServerRequest req;
  private final HttpServerResponse res;
  private final Route route;
  private final Backend backend;
  private final Endpoint endpoint;
  private final String path;
  private final String requestId;
  private final String via;
  private final long startNanos;

  private HttpClientRequest upstream;
  private long attemptStart;
  private int attempts;
  private boolean completed;
  private long timer = -1;
  /** The gateway has answered, or given up on, the client: late events are ignored. */
  private boolean settled;

  Exchange(Vertx vertx, HttpClient client, ExchangeObserver observer, HttpServerRequest req, Route route,
           Endpoint endpoint, String path, String requestId, String via, long startNanos) {
    this.vertx = vertx;
    this.client = client;
    this.observer = observer;
    this.startNanos = startNanos;
    this.req = req;
    this.res = req.response();
    this.route = route;
    this.backend = route.backend();
    this.endpoint = endpoint;
    this.path = path;
    this.requestId = requestId;
    this.via = via;
  }

  void start() {
    req.pause();
    res.closeHandler(v -> clientGone());
    timer = vertx.setTimer(backend.responseTimeoutMs(), t -> timedOut());
    RequestOptions options = new RequestOptions()
      .setMethod(req.method())
      .setHost(endpoint.host())
      .setPort(endpoint.port())
      .setURI(upstreamUri())
      .setConnectTimeout(backend.connectTimeoutMs());
    if (endpoint.ssl()) {
      options.setSsl(true).setSslOptions(backend.sslOptions());
    }
    attempts++;
    attemptStart = System.nanoTime();
    client.request(options).onComplete(ar -> {
      if (ar.succeeded()) {
        send(ar.result());
      } else {
        fail(connectFailure(ar.cause()), ar.cause());
      }
    });
  }

  private String upstreamUri() {
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

  private void send(HttpClientRequest up) {
    if (settled) {
      up.reset();
      return;
    }
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
    backend.applyCredentialHeaders(h);

    up.response().onComplete(this::onResponse);
    String contentLength = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = contentLength != null
      ? !contentLength.equals("0")
      : req.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
    if (!hasBody) {
      if (contentLength != null) {
        h.set(HttpHeaders.CONTENT_LENGTH, "0");
      }
      up.end();
      req.resume();
      return;
    }
    if (contentLength != null) {
      h.set(HttpHeaders.CONTENT_LENGTH, contentLength);
    } else {
      up.setChunked(true);
    }
    // endOnFailure(false): a client that vanishes mid-upload must not look like a complete body
    req.pipe().endOnFailure(false).to(up).onFailure(err -> up.reset(0, err));
  }

  private void onResponse(AsyncResult<HttpClientResponse> ar) {
    if (settled) {
      if (ar.succeeded()) {
        ar.result().request().reset();
      }
      return;
    }
    cancelTimer();
    if (ar.failed()) {
      fail(responseFailure(ar.cause()), ar.cause());
      return;
    }
    settled = true;
    HttpClientResponse upRes = ar.result();
    observer.attempt(backend.id(), endpoint.key(), System.nanoTime() - attemptStart, upRes.statusCode(), null);
    res.setStatusCode(upRes.statusCode());
    if (upRes.statusMessage() != null) {
      res.setStatusMessage(upRes.statusMessage());
    }
    MultiMap h = res.headers();
    h.addAll(upRes.headers());
    ProxyHeaders.dropHopByHop(h);
    h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    if (!h.contains(HttpHeaders.CONTENT_LENGTH) && bodyAllowed(upRes.statusCode())) {
      res.setChunked(true);
    }
    upRes.pipe().endOnFailure(false).to(res).onComplete(done -> {
      if (done.succeeded()) {
        complete(res.getStatusCode(), null);
        return;
      }
      // the backend broke off mid-body (or the client left): the client must not see a truncated body as complete
      log.debug("response stream aborted: backend={} endpoint={} requestId={} cause={}",
        backend.id(), endpoint.key(), requestId, done.cause().getClass().getSimpleName());
      res.reset();
      upstream.reset();
      complete(0, res.closed() ? "ClientConnectionFailure" : "BackendConnectionFailure");
    });
  }

  /** Reports the end of the exchange to the observer, once. */
  private void complete(int status, String reason) {
    if (completed) {
      return;
    }
    completed = true;
    observer.completed(new ExchangeObserver.Completion(requestId, route.apiId(), route.operationId(), backend.id(),
      endpoint.key(), endpoint.instanceId(), req.method(), path, status, reason, System.nanoTime() - startNanos,
      req.bytesRead(), res.bytesWritten(), attempts));
  }

  private boolean bodyAllowed(int status) {
    return req.method() != HttpMethod.HEAD && status != 204 && status != 304 && (status < 100 || status >= 200);
  }

  private void timedOut() {
    timer = -1;
    if (settled) {
      return;
    }
    fail(new Failure.Timeout("backend '" + backend.id() + "' (" + endpoint.key() + ") sent no response within "
      + backend.responseTimeoutMs() + " ms"), null);
  }

  private void clientGone() {
    if (settled && res.ended()) {
      return;
    }
    settled = true;
    cancelTimer();
    if (upstream != null) {
      upstream.reset();
    }
    log.debug("client went away: reason=ClientConnectionFailure backend={} requestId={}", backend.id(), requestId);
    complete(0, "ClientConnectionFailure");
  }

  private void fail(Failure failure, Throwable cause) {
    if (settled) {
      return;
    }
    // settled first: resetting the upstream request fails its response future, which must then be ignored
    settled = true;
    cancelTimer();
    if (upstream != null) {
      upstream.reset();
    }
    // log the exception's type only: messages of some exceptions carry the upstream URI (and so credential query values)
    log.debug("forward failed: reason={} backend={} endpoint={} requestId={} cause={}", failure.reason(),
      backend.id(), endpoint.key(), requestId, cause == null ? "-" : cause.getClass().getName());
    if (!req.isEnded()) {
      res.putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (attemptStart != 0) {
      observer.attempt(backend.id(), endpoint.key(), System.nanoTime() - attemptStart, 0, failure.reason());
    }
    Problems.send(res, failure, backend.id(), requestId)
      .onComplete(ar -> complete(ar.succeeded() ? failure.status() : 0, failure.reason()));
    req.resume();
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private Failure connectFailure(Throwable t) {
    String target = "backend '" + backend.id() + "' (" + endpoint.key() + ")";
    if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
      return new Failure.BackendConnectionFailure("could not connect to " + target + " within "
        + backend.connectTimeoutMs() + " ms");
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
    String target = "backend '" + backend.id() + "' (" + endpoint.key() + ")";
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
