package dev.portico.gateway.pipeline;

import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.problem.ProblemWriter;
import dev.portico.gateway.protocol.grpc.GrpcCalls;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The problem documents of {@link Failure}s (RFC 9457), written by {@link ProblemWriter}. */
public final class Problems {

  public static final String CONTENT_TYPE = ProblemWriter.CONTENT_TYPE;
  public static final String TYPE_BASE = ProblemWriter.TYPE_BASE;

  private Problems() {}

  public static JsonObject body(Failure failure, String backend, String requestId) {
    return body(failure, backend, requestId, null);
  }

  /**
   * @param traceId the request's trace id (tracing on), added as {@code traceId}; {@code null}:
   *     none
   */
  public static JsonObject body(Failure failure, String backend, String requestId, String traceId) {
    JsonObject body =
        new JsonObject()
            .put("type", failure.errorReason().typeUri())
            .put("title", failure.title())
            .put("status", failure.status())
            .put("detail", failure.detail())
            .put("reason", failure.reason());
    if (backend != null) {
      body.put("backend", backend);
    }
    if (failure instanceof Failure.PartitionResolutionFailure p && p.fabricErrorCode() != null) {
      body.put("errorCode", p.fabricErrorCode());
    }
    body.put("requestId", requestId);
    if (traceId != null) {
      body.put("traceId", traceId);
    }
    return body;
  }

  /**
   * Sends the problem unless the response has already started; then the best left is a reset. Fails
   * when nothing could be sent.
   */
  public static Future<Void> send(
      HttpServerResponse response, Failure failure, String backend, String requestId) {
    return send(response, failure, backend, requestId, HeaderEdits.NONE);
  }

  /**
   * {@link #send(HttpServerResponse, Failure, String, String)} with the response header edits of
   * the request's policies (a 429's {@code Retry-After} and {@code RateLimit}, a 401's {@code
   * WWW-Authenticate}, CORS headers so a browser can read the problem). The edits cannot touch
   * framing or hop-by-hop headers.
   */
  public static Future<Void> send(
      HttpServerResponse response,
      Failure failure,
      String backend,
      String requestId,
      HeaderEdits policyHeaders) {
    return send(response, failure, backend, requestId, policyHeaders, null);
  }

  /**
   * As above, the body naming the trace {@code traceId} (tracing on; {@code null}: no {@code
   * traceId} member).
   */
  public static Future<Void> send(
      HttpServerResponse response,
      Failure failure,
      String backend,
      String requestId,
      HeaderEdits policyHeaders,
      String traceId) {
    return send(response, failure, backend, requestId, policyHeaders, traceId, false);
  }

  /**
   * As above; {@code grpc}: the request is a gRPC call, answered with a gRPC status instead (issue
   * 14).
   */
  static Future<Void> send(
      HttpServerResponse response,
      Failure failure,
      String backend,
      String requestId,
      HeaderEdits policyHeaders,
      String traceId,
      boolean grpc) {
    if (response.headWritten() || response.ended() || response.closed()) {
      if (!response.ended() && !response.closed()) {
        response.reset();
      }
      return Future.failedFuture("response already started or closed");
    }
    // a Connection: close set for this answer survives the reset of the headers
    boolean close =
        HttpHeaders.CLOSE.toString().equals(response.headers().get(HttpHeaders.CONNECTION));
    response.headers().clear();
    if (!policyHeaders.isEmpty()) {
      PolicyStage.applyResponseEdits(policyHeaders, response.headers());
    }
    if (close) {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    response.putHeader(ProxyHeaders.X_REQUEST_ID, requestId);
    if (failure instanceof Failure.BackendUnavailable u && u.retryAfterSeconds() >= 0) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(u.retryAfterSeconds()));
    }
    // --- issue 14 hook (protocols): gRPC clients cannot read problem documents ---
    if (grpc) {
      return GrpcCalls.sendFailure(response, failure.reason(), failure.detail());
    }
    return write(response, body(failure, backend, requestId, traceId));
  }

  /** Writes a problem document whatever produced it: {@link ProblemWriter#write}. */
  public static Future<Void> write(HttpServerResponse response, JsonObject problem) {
    return ProblemWriter.write(response, problem);
  }

  /**
   * {@link #send(HttpServerResponse, Failure, String, String)} to {@code req}'s response; with
   * {@code close}, an HTTP/1.x connection says {@code Connection: close} and is closed once the
   * problem is written (an HTTP/2 stream ends on its own, and a Connection header is illegal
   * there).
   */
  public static Future<Void> send(
      HttpServerRequest req, Failure failure, String backend, String requestId, boolean close) {
    return send(req, failure, backend, requestId, close, HeaderEdits.NONE);
  }

  /**
   * {@link #send(HttpServerRequest, Failure, String, String, boolean)} with the policies' response
   * header edits.
   */
  public static Future<Void> send(
      HttpServerRequest req,
      Failure failure,
      String backend,
      String requestId,
      boolean close,
      HeaderEdits policyHeaders) {
    return send(req, failure, backend, requestId, close, policyHeaders, null);
  }

  /**
   * As above, the body naming the trace {@code traceId} (tracing on; {@code null}: no {@code
   * traceId} member).
   */
  public static Future<Void> send(
      HttpServerRequest req,
      Failure failure,
      String backend,
      String requestId,
      boolean close,
      HeaderEdits policyHeaders,
      String traceId) {
    boolean closing = ProblemWriter.closes(req, close);
    HttpServerResponse response = req.response();
    if (closing && !response.headWritten()) {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    // --- issue 14 hook (protocols): a gRPC call's failure goes out as grpc-status/grpc-message ---
    Future<Void> sent =
        send(response, failure, backend, requestId, policyHeaders, traceId, GrpcCalls.isCall(req));
    if (!closing) {
      return sent;
    }
    return sent.andThen(ar -> req.connection().close());
  }
}
