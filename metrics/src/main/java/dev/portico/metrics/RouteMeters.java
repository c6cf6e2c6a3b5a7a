package dev.portico.metrics;

/**
 * The request meters of one API and backend, resolved once (see {@link PorticoMetrics#routeMeters})
 * and kept with the route, so recording a request costs no map look-up for its API's meters: the
 * in-flight gauge and the array of its histograms are at hand. The series are the ones {@link
 * PorticoMetrics#requestStarted} and {@link PorticoMetrics#requestCompleted} record into: both ways
 * may be mixed for the same API (a request started through a route and completed by id counts
 * once).
 */
public interface RouteMeters {

  /** A request of this route's API was accepted; pair with exactly one completion. */
  void started();

  /**
   * A request of this route's API, sent (or meant) for this route's backend, is over: as {@link
   * PorticoMetrics#requestCompleted} with this route's API and backend.
   */
  void completed(String method, int status, String reason, long nanos);

  /**
   * One attempt of a request of this route at {@code backendId} ended: as {@link
   * PorticoMetrics#upstreamAttempt}. When {@code backendId} is this route's backend (the usual
   * case) the attempt is recorded without looking its backend's meters up; another backend (a pool
   * member) goes by id.
   */
  void attempt(String backendId, int status, String reason, long nanos);

  /** Whether these meters record into {@code metrics}' registry. */
  boolean of(PorticoMetrics metrics);
}
