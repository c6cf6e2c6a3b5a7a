package dev.portico.gateway.pipeline;

import dev.portico.gateway.protocol.websocket.WebSocketListener;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.target.ResolutionObserver;
import io.vertx.core.http.HttpMethod;

/**
 * Observes requests as the proxy handles them: metrics and the access log hang here. Calls come
 * from the event loop that serves the request, so implementations must be cheap, non-blocking and
 * thread-safe across event loops.
 */
public interface ExchangeObserver extends ResolutionObserver {

  ExchangeObserver NONE = new ExchangeObserver() {};

  /** A request was routed to {@code apiId} (or {@link #UNMATCHED}) and is now in flight. */
  default void started(String apiId) {}

  /**
   * {@link #started(String)} for a routed request: an observer may resolve what it needs for the
   * route once and keep it in the route's {@link Route#observerSlot()}.
   */
  default void started(Route route) {
    started(route.apiId());
  }

  /**
   * One attempt at a backend ended: response headers arrived ({@code status} &gt; 0, {@code reason}
   * {@code null}), or it failed ({@code status} 0 and the failure's reason).
   *
   * @param nanos time from sending the attempt to its response headers or failure
   */
  default void attempt(String backendId, String endpoint, long nanos, int status, String reason) {}

  /**
   * {@link #attempt(String, String, long, int, String)} of an exchange of {@code route}: an
   * observer may record through what it keeps in the route's {@link Route#observerSlot()} instead
   * of looking {@code backendId} up.
   */
  default void attempt(
      Route route, String backendId, String endpoint, long nanos, int status, String reason) {
    attempt(backendId, endpoint, nanos, status, reason);
  }

  /**
   * The gateway is about to try again after {@code reason} (a failure reason or {@code
   * "status:NNN"}).
   */
  default void retried(String apiId, String backendId, String reason) {}

  /**
   * Issue 14: a WebSocket handshake of {@code apiId} was accepted; the session's traffic and end go
   * to the listener returned (the exchange itself completes with status 101 when the session ends).
   */
  default WebSocketListener webSocketOpened(String apiId) {
    return WebSocketListener.NONE;
  }

  /**
   * The exchange is over (response fully sent, or abandoned); exactly once per {@link #started}.
   */
  default void completed(Completion c) {}

  /**
   * {@link #completed(Completion)} of an exchange of {@code route} (its {@link Completion#apiId()}
   * and {@link Completion#backendId()} are the route's).
   */
  default void completed(Completion c, Route route) {
    completed(c);
  }

  /** API id used for requests that matched no API. */
  String UNMATCHED = "unmatched";

  /**
   * What happened to one request.
   *
   * @param apiId API id, or {@link #UNMATCHED}
   * @param operationId operation id, or {@code null}
   * @param backendId backend id, or {@code null} when none was chosen
   * @param endpoint {@code host:port} of the last endpoint tried, or {@code null}
   * @param instanceId registry record id of that endpoint, or {@code null}
   * @param path the request path (no query string: it may carry secrets)
   * @param status status sent to the client; 0 if none could be sent (client gone, reset mid-body)
   * @param reason the error reason when the gateway answered or the exchange broke off, else {@code
   *     null}
   * @param nanos from accepting the request to the end of the response
   * @param bytesIn request bytes read from the client (headers excluded)
   * @param bytesOut response bytes written to the client (headers excluded)
   * @param traceId the request's trace id when tracing is on, else {@code null}
   */
  record Completion(
      String requestId,
      String apiId,
      String operationId,
      String backendId,
      String endpoint,
      String instanceId,
      HttpMethod method,
      String path,
      int status,
      String reason,
      long nanos,
      long bytesIn,
      long bytesOut,
      int attempts,
      String traceId) {

    /** An untraced exchange's completion. */
    public Completion(
        String requestId,
        String apiId,
        String operationId,
        String backendId,
        String endpoint,
        String instanceId,
        HttpMethod method,
        String path,
        int status,
        String reason,
        long nanos,
        long bytesIn,
        long bytesOut,
        int attempts) {
      this(
          requestId,
          apiId,
          operationId,
          backendId,
          endpoint,
          instanceId,
          method,
          path,
          status,
          reason,
          nanos,
          bytesIn,
          bytesOut,
          attempts,
          null);
    }
  }
}
