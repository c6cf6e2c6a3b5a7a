package dev.portico.metrics;

/**
 * The names of Portico's own meters, as Micrometer names them (dotted, base units in the type). The
 * Prometheus names in the comments are what a scrape shows; dashboards and alerts depend on them,
 * so they are a contract: change them only with a note in {@code docs/metrics.md}.
 */
public final class MeterNames {

  /**
   * {@code portico_request_duration_seconds} histogram: accept to end of response; api, backend,
   * method, status_class, reason.
   */
  public static final String REQUEST_DURATION = "portico.request.duration";

  /**
   * {@code portico_upstream_duration_seconds} histogram: one attempt, send to response headers or
   * failure; backend, status_class, reason.
   */
  public static final String UPSTREAM_DURATION = "portico.upstream.duration";

  /** {@code portico_requests_in_flight} gauge: requests accepted and not yet completed; api. */
  public static final String REQUESTS_IN_FLIGHT = "portico.requests.in.flight";

  /** {@code portico_retries_total} counter; api, backend, reason. */
  public static final String RETRIES = "portico.retries";

  /**
   * {@code portico_circuit_breaker_state} gauge, 1 for the current state and 0 for the others;
   * backend, endpoint, state.
   */
  public static final String BREAKER_STATE = "portico.circuit.breaker.state";

  /** {@code portico_circuit_breaker_transitions_total} counter; backend, endpoint, to. */
  public static final String BREAKER_TRANSITIONS = "portico.circuit.breaker.transitions";

  /**
   * {@code portico_registry_instances} gauge: registry records per service, source and status;
   * service, source, status.
   */
  public static final String REGISTRY_INSTANCES = "portico.registry.instances";

  /** {@code portico_sf_resolutions_total} counter: Service Fabric resolutions; service, result. */
  public static final String FABRIC_RESOLUTIONS = "portico.sf.resolutions";

  /**
   * {@code portico_sf_resolution_duration_seconds} histogram: Service Fabric resolution latency;
   * result.
   */
  public static final String FABRIC_RESOLUTION_DURATION = "portico.sf.resolution.duration";

  /**
   * {@code portico_access_log_dropped_total} counter: access log lines dropped because the writer
   * fell behind.
   */
  public static final String ACCESS_LOG_DROPPED = "portico.access.log.dropped";

  /** {@code portico_config_reloads_total} counter: configuration reloads; result. */
  public static final String CONFIG_RELOADS = "portico.config.reloads";

  /**
   * {@code portico_config_last_reload_successful} gauge: 1 when the last reload applied or found
   * nothing to change.
   */
  public static final String CONFIG_LAST_RELOAD_SUCCESSFUL =
      "portico.config.last.reload.successful";

  /**
   * {@code portico_ready} gauge: 1 when {@code /health/ready} answers 200 (ready, degraded or not),
   * else 0.
   */
  public static final String READY = "portico.ready";

  /**
   * {@code portico_readiness_degraded} gauge: 1 while the check serves from data it cannot refresh;
   * check.
   */
  public static final String READINESS_DEGRADED = "portico.readiness.degraded";

  /** {@code portico_draining} gauge: 1 from the shutdown signal on. */
  public static final String DRAINING = "portico.draining";

  /**
   * {@code portico_drain_abandoned_requests_total} counter: requests still in flight when a drain's
   * grace period ended.
   */
  public static final String DRAIN_ABANDONED = "portico.drain.abandoned.requests";

  /**
   * {@code portico_policy_limit_decisions_total} counter: rate-limit-by-key and quota-by-key
   * decisions; policy, location, store, result.
   */
  public static final String POLICY_LIMIT_DECISIONS = "portico.policy.limit.decisions";

  /**
   * {@code portico_policy_store_failures_total} counter: fleet-wide (Redis) limit store calls
   * without an answer; location, result.
   */
  public static final String POLICY_STORE_FAILURES = "portico.policy.store.failures";

  /**
   * {@code portico_policy_jwks_fetches_total} counter: JWKS / OpenID configuration fetches; url,
   * why, result.
   */
  public static final String POLICY_JWKS_FETCHES = "portico.policy.jwks.fetches";

  /**
   * {@code portico_policy_token_rejections_total} counter: tokens validate-jwt refused; location,
   * error.
   */
  public static final String POLICY_TOKEN_REJECTIONS = "portico.policy.token.rejections";

  /** Label (tag) keys. */
  /**
   * {@code portico_websocket_sessions_active} gauge: WebSocket sessions open now; api (issue 14).
   */
  public static final String WEBSOCKET_ACTIVE = "portico.websocket.sessions.active";

  /**
   * {@code portico_websocket_session_duration_seconds} histogram: handshake to close of a session;
   * api.
   */
  public static final String WEBSOCKET_DURATION = "portico.websocket.session.duration";

  /**
   * {@code portico_websocket_frames_total} counter: frames relayed; api, direction ({@code
   * upstream}: client to backend, {@code downstream}).
   */
  public static final String WEBSOCKET_FRAMES = "portico.websocket.frames";

  /**
   * {@code portico_websocket_bytes_total} counter: bytes relayed (frame headers included); api,
   * direction.
   */
  public static final String WEBSOCKET_BYTES = "portico.websocket.bytes";

  public static final String DIRECTION = "direction";
  public static final String API = "api";
  public static final String BACKEND = "backend";
  public static final String METHOD = "method";
  public static final String STATUS_CLASS = "status_class";
  public static final String REASON = "reason";
  public static final String ENDPOINT = "endpoint";
  public static final String STATE = "state";
  public static final String TO = "to";
  public static final String SERVICE = "service";
  public static final String STATUS = "status";

  /**
   * Who wrote a registry record: a registry source's id, {@code static}, {@code service-fabric},
   * {@code other}, {@code none}.
   */
  public static final String SOURCE = "source";

  public static final String RESULT = "result";
  public static final String CHECK = "check";

  private MeterNames() {}
}
