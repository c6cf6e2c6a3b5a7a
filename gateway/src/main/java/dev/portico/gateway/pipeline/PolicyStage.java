package dev.portico.gateway.pipeline;

import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.policy.Completion;
import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.HttpPolicyRequest;
import dev.portico.gateway.policy.PolicyChain;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.problem.ErrorReason;
import dev.portico.gateway.routing.RequestPaths;
import dev.portico.gateway.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Map;

/**
 * The policies' stage of the request path, between the route match and the {@link Exchange}: runs
 * the route's compiled {@link PolicyChain} and acts on its outcome. A refusal becomes a problem
 * document of the error model ({@link Failure#of(PolicyOutcome.Reject)}) with the policy's headers;
 * a direct answer (a CORS preflight) is sent without calling the backend; a request let through
 * goes on with the policies' header edits and URI rewrite. Whatever happens, the run is told once
 * how the exchange ended, so after-the-fact counting (increment conditions, bandwidth quotas) sees
 * every request.
 *
 * <p>When the chain has to wait (a Redis decision, a JWKS fetch), the request is paused first: its
 * body stays in the connection, unread, until the exchange reads it or the refusal closes it.
 */
final class PolicyStage implements Stage {

  /**
   * What the policies asked of a request they let through.
   *
   * @param run the chain's run, told how the exchange ended ({@code null} without policies)
   * @param requestHeaders edits of the headers sent to the backend
   * @param responseHeaders edits of the headers sent to the client (the backend's response or the
   *     gateway's problem)
   */
  record Passed(PolicyChain.Run run, HeaderEdits requestHeaders, HeaderEdits responseHeaders) {

    static final Passed NONE = new Passed(null, HeaderEdits.NONE, HeaderEdits.NONE);

    /**
     * Tells the run how the exchange ended (once: the exchange calls it from its single
     * completion).
     */
    void completed(int status, long requestBytes, long responseBytes) {
      if (run != null) {
        run.completed(new Completion(status, requestBytes, responseBytes));
      }
    }
  }

  private final EscapedSlashes escapedSlashes;

  /**
   * @param escapedSlashes the listener's rule for encoded slashes, which a rewritten path obeys too
   */
  PolicyStage(EscapedSlashes escapedSlashes) {
    this.escapedSlashes = escapedSlashes;
  }

  @Override
  public void apply(RequestContext rc) {
    if (rc.route.policies().isEmpty()) {
      // the request path after the API prefix, with no substring made for it
      rc.forwardPath = rc.path;
      rc.forwardFrom = rc.route.prefixLength();
      rc.forwardQuery = rc.req.query();
      rc.next();
      return;
    }
    run(rc, rc.path.substring(rc.route.prefixLength()));
  }

  /**
   * Runs the policies of the request's route (which has some), then goes on, refuses or answers it.
   * The observer has already been told the request started.
   */
  private void run(RequestContext rc, String rest) {
    Route route = rc.route;
    HttpServerRequest req = rc.req;
    String path = rc.path;
    Map<String, String> params =
        route.template() == null
            ? Map.of()
            : route.template().parameterValues(path, route.prefixLength());
    PolicyChain.Run run =
        route
            .policies()
            .start(new HttpPolicyRequest(req, path, route.apiId(), route.operationId(), params));
    Future<PolicyOutcome> outcome = run.outcome();
    if (outcome.isComplete()) {
      decided(rc, rest, run, outcome.result());
      return;
    }
    // the body must neither be lost nor read while the chain waits: the exchange resumes it
    rc.pause();
    // the chain completes its outcome on this request's context
    outcome.onComplete(
        ar ->
            decided(
                rc,
                rest,
                run,
                ar.succeeded()
                    ? ar.result()
                    : new PolicyOutcome.Reject(
                        500,
                        ErrorReason.POLICY_FAILURE.label(),
                        "Policy failure",
                        "a policy failed while deciding on this request",
                        HeaderEdits.NONE)));
  }

  private void decided(RequestContext rc, String rest, PolicyChain.Run run, PolicyOutcome o) {
    HttpServerRequest req = rc.req;
    HttpServerResponse res = req.response();
    if (res.closed()) {
      // the client left while the chain waited
      run.completed(new Completion(0, req.bytesRead(), 0));
      report(rc, completion(rc, 0, ErrorReason.CLIENT_CONNECTION_FAILURE.label(), false));
      return;
    }
    if (o instanceof PolicyOutcome.Continue c && rc.unlessLetThrough != null) {
      refuse(rc, run, rc.unlessLetThrough, c.responseHeaders());
    } else if (o instanceof PolicyOutcome.Continue c) {
      String forwardPath = rest;
      String forwardQuery = req.query();
      if (c.rewrite() != null) {
        try {
          // the same rules as the client's path: no dot segment or encoded separator can climb out
          // of the base path
          forwardPath = RequestPaths.normalize(c.rewrite().path(), escapedSlashes);
        } catch (RequestPaths.InvalidPath e) {
          refuse(
              rc,
              run,
              new Failure.BadRequest("the rewritten backend path is invalid: " + e.getMessage()),
              c.responseHeaders());
          return;
        }
        forwardQuery = c.rewrite().query();
      }
      rc.forwardPath = forwardPath;
      rc.forwardQuery = forwardQuery;
      rc.policy = new Passed(run, c.requestHeaders(), c.responseHeaders());
      rc.next();
    } else if (o instanceof PolicyOutcome.Reject r) {
      refuse(rc, run, Failure.of(r), r.responseHeaders());
    } else if (o instanceof PolicyOutcome.Respond r) {
      respond(rc, run, r);
    }
  }

  /**
   * A refusal: the problem with the policies' headers, reported as one exchange; the backend is not
   * called.
   */
  private static void refuse(
      RequestContext rc, PolicyChain.Run run, Failure failure, HeaderEdits headers) {
    HttpServerRequest req = rc.req;
    // the body will not be read: do not leave it in the connection for the next request
    boolean close = !req.isEnded();
    Problems.send(
            req,
            failure,
            null,
            rc.requestId,
            close,
            headers,
            rc.span == null ? null : rc.span.traceId())
        .onComplete(
            ar -> {
              int status = ar.succeeded() ? failure.status() : 0;
              run.completed(new Completion(status, req.bytesRead(), req.response().bytesWritten()));
              report(rc, completion(rc, status, failure.reason(), true));
            });
    if (!close) {
      return;
    }
    req.resume();
  }

  /**
   * A direct answer (a CORS preflight): its status and headers, no body; the backend is not called.
   */
  private static void respond(RequestContext rc, PolicyChain.Run run, PolicyOutcome.Respond r) {
    HttpServerRequest req = rc.req;
    HttpServerResponse res = req.response();
    boolean close = !req.isEnded() && req.version() != HttpVersion.HTTP_2;
    applyResponseEdits(r.responseHeaders(), res.headers());
    res.putHeader(ProxyHeaders.X_REQUEST_ID, rc.requestId);
    res.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
    if (close) {
      res.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    res.setStatusCode(r.status())
        .end()
        .onComplete(
            ar -> {
              int status = ar.succeeded() ? r.status() : 0;
              run.completed(new Completion(status, req.bytesRead(), 0));
              report(rc, completion(rc, status, null, true));
              if (close) {
                req.connection().close();
              }
            });
    if (!req.isEnded()) {
      req.resume();
    }
  }

  private static ExchangeObserver.Completion completion(
      RequestContext rc, int status, String reason, boolean answered) {
    HttpServerRequest req = rc.req;
    return new ExchangeObserver.Completion(
        rc.requestId,
        rc.route.apiId(),
        rc.route.operationId(),
        null,
        null,
        null,
        req.method(),
        rc.path,
        status,
        reason,
        System.nanoTime() - rc.startNanos,
        req.bytesRead(),
        answered ? req.response().bytesWritten() : 0,
        0,
        rc.span == null ? null : rc.span.traceId());
  }

  /**
   * Tells the observer about an exchange the policies ended, and ends its server span (tracing on).
   */
  private static void report(RequestContext rc, ExchangeObserver.Completion c) {
    ExchangeObserver observer = rc.listener.observer();
    if (rc.span != null) {
      rc.span.completed(c.status(), c.reason(), 0, () -> observer.completed(c));
    } else {
      observer.completed(c);
    }
  }

  /**
   * Applies the policies' edits of the headers to the backend. Header hygiene still rules: a policy
   * cannot add hop-by-hop headers, nor change the framing ({@code Content-Length}, {@code
   * Transfer-Encoding}: the exchange sets them from the body it actually sends).
   */
  static void applyRequestEdits(HeaderEdits edits, MultiMap headers) {
    applyKeepingFraming(edits, headers);
  }

  /**
   * Applies the policies' edits of the response headers, under the same hygiene as the request's.
   */
  static void applyResponseEdits(HeaderEdits edits, MultiMap headers) {
    applyKeepingFraming(edits, headers);
  }

  private static void applyKeepingFraming(HeaderEdits edits, MultiMap headers) {
    List<String> length = headers.getAll(HttpHeaders.CONTENT_LENGTH);
    List<String> coding = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
    String connection = headers.get(HttpHeaders.CONNECTION);
    edits.applyTo(headers);
    headers.remove(HttpHeaders.CONTENT_LENGTH).remove(HttpHeaders.TRANSFER_ENCODING);
    ProxyHeaders.dropHopByHop(headers);
    if (!length.isEmpty()) {
      headers.add(HttpHeaders.CONTENT_LENGTH.toString(), length);
    }
    if (!coding.isEmpty()) {
      headers.add(HttpHeaders.TRANSFER_ENCODING.toString(), coding);
    }
    // a Connection: close the gateway itself set for this answer stays
    if (HttpHeaders.CLOSE.toString().equalsIgnoreCase(connection)) {
      headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
  }
}
