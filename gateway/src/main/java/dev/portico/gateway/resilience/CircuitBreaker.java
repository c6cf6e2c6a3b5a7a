package dev.portico.gateway.resilience;

import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.protocol.grpc.GrpcStatus;
import dev.portico.metrics.BreakerState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The circuit breaker of one backend endpoint, with APIM's rules: each rule counts failures (status
 * ranges, error reasons) within its interval, by count or percentage; a rule that trips opens the
 * breaker for its trip duration, or for the backend's {@code Retry-After} when the rule accepts it
 * (capped). When the open time ends, up to {@code halfOpenRequests} probes pass: the first success
 * closes the breaker, a failure re-opens it.
 *
 * <p>Probes hold one of {@code halfOpenRequests} slots until they report ({@link #onResult}) or
 * give up ({@link #release}). A probe that never does (its request lost on a path that forgot to
 * report) would keep the breaker half-open for good; so a slot held longer than the probe timeout
 * is given to the next probe. A probe's outcome decides only in the half-open period it was granted
 * in: a late report from an earlier period, or after a reset, changes nothing.
 *
 * <p>Thread-safe and lock-free on the request path: permission is one volatile read while closed;
 * successes touch only atomic counters (and only for percentage rules); failures take a short
 * per-rule lock.
 *
 * <p>Small until it is needed (issue 13: one per endpoint, 50,000 at scale): the rules' windows are
 * made at the first outcome a rule must count (a failure; any request for a percentage rule), the
 * probe slots at the first half-open period. A breaker that only ever saw successes of count rules
 * holds its status and nothing else.
 */
public final class CircuitBreaker {

  /**
   * What {@link #tryAcquire} granted; every permit other than {@link #DENIED} must be reported back
   * once, by {@link #onResult} or {@link #release}.
   */
  public static final class Permit {
    /** Refused: the breaker is open (or half-open with all probe slots taken). */
    public static final Permit DENIED = new Permit(Kind.DENIED, -1, 0, null);

    /** A normal request of a closed breaker. */
    public static final Permit NORMAL = new Permit(Kind.NORMAL, -1, 0, null);

    /** The kinds of permit. */
    public enum Kind {
      DENIED,
      NORMAL,
      PROBE
    }

    private final Kind kind;
    private final int slot;
    private final long grantedNanos;

    /** The half-open period it was granted in. */
    private final Status period;

    private Permit(Kind kind, int slot, long grantedNanos, Status period) {
      this.kind = kind;
      this.slot = slot;
      this.grantedNanos = grantedNanos;
      this.period = period;
    }

    public Kind kind() {
      return kind;
    }

    /** One of the bounded probes of a half-open breaker. */
    public boolean isProbe() {
      return kind == Kind.PROBE;
    }

    @Override
    public String toString() {
      return kind.name();
    }
  }

  private record Status(BreakerState state, long openUntil, String rule, long tripNanos) {}

  private static final Status CLOSED = new Status(BreakerState.CLOSED, 0, null, 0);

  /** Probe timeout of a breaker made without one (benchmarks, tests). */
  private static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(60);

  private static final VarHandle STATUS;
  private static final VarHandle RULES;
  private static final VarHandle PROBES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATUS = l.findVarHandle(CircuitBreaker.class, "status", Status.class);
      RULES = l.findVarHandle(CircuitBreaker.class, "rules", FailureRule[].class);
      PROBES = l.findVarHandle(CircuitBreaker.class, "probes", AtomicReferenceArray.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String backend;
  private final String endpoint;
  private final List<BreakerRuleConfig> ruleConfigs;
  private final int halfOpenRequests;
  private final long maxRetryAfterNanos;
  private final long probeTimeoutNanos;
  private final Consumer<BreakerTransition> listener;
  private volatile Status status = CLOSED;

  /** The rules' run-time state, one per rule config; made when first needed ({@link #rules()}). */
  private volatile FailureRule[] rules;

  /**
   * The probe holding each slot, {@code null} when free; made at the first half-open period ({@link
   * #probes()}).
   */
  private volatile AtomicReferenceArray<Permit> probes;

  private final boolean countsRequests;

  /**
   * Set when the endpoint left its backend: requests still in flight must not revive its meters.
   */
  private volatile boolean retired;

  public CircuitBreaker(
      String backend,
      String endpoint,
      CircuitBreakerConfig config,
      Consumer<BreakerTransition> listener) {
    this(
        backend,
        endpoint,
        config,
        config.probeTimeout() != null ? config.probeTimeout() : DEFAULT_PROBE_TIMEOUT,
        listener);
  }

  /**
   * @param probeTimeout how long a probe may hold its slot without reporting
   */
  public CircuitBreaker(
      String backend,
      String endpoint,
      CircuitBreakerConfig config,
      Duration probeTimeout,
      Consumer<BreakerTransition> listener) {
    this.backend = backend;
    this.endpoint = endpoint;
    this.ruleConfigs = config.rules();
    this.halfOpenRequests = config.halfOpenRequests();
    this.maxRetryAfterNanos = config.maxRetryAfter().toNanos();
    this.probeTimeoutNanos = probeTimeout.toNanos();
    this.listener = listener;
    boolean any = false;
    for (int i = 0; i < ruleConfigs.size(); i++) {
      any |= FailureRule.countsRequests(ruleConfigs.get(i));
    }
    this.countsRequests = any;
  }

  /** The rules' state, made by the first outcome that must be counted (racing threads agree). */
  private FailureRule[] rules() {
    FailureRule[] r = rules;
    if (r == null) {
      FailureRule[] made = new FailureRule[ruleConfigs.size()];
      for (int i = 0; i < made.length; i++) {
        made[i] = new FailureRule(ruleConfigs.get(i));
      }
      Object witness = RULES.compareAndExchange(this, null, made);
      r = witness == null ? made : (FailureRule[]) witness;
    }
    return r;
  }

  /** The probe slots, made at the first half-open period (racing threads agree). */
  @SuppressWarnings("unchecked")
  private AtomicReferenceArray<Permit> probes() {
    AtomicReferenceArray<Permit> p = probes;
    if (p == null) {
      AtomicReferenceArray<Permit> made = new AtomicReferenceArray<>(halfOpenRequests);
      Object witness = PROBES.compareAndExchange(this, null, made);
      p = witness == null ? made : (AtomicReferenceArray<Permit>) witness;
    }
    return p;
  }

  private boolean casStatus(Status expected, Status next) {
    return STATUS.compareAndSet(this, expected, next);
  }

  public BreakerState state() {
    return status.state();
  }

  /** Whether a request could be let through now, without taking a permit. */
  public boolean isAvailable(long now) {
    Status s = status;
    return switch (s.state()) {
      case CLOSED -> true;
      case OPEN -> now >= s.openUntil();
      case HALF_OPEN -> hasFreeSlot(now);
    };
  }

  /** Probes holding a slot now (timed-out ones excepted): at most {@code halfOpenRequests}. */
  public int probesInFlight(long now) {
    AtomicReferenceArray<Permit> probes = this.probes;
    if (probes == null) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < halfOpenRequests; i++) {
      Permit p = probes.get(i);
      if (p != null && !timedOut(p, now)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Nanoseconds until the breaker lets a probe through; 0 when it would let a request through now.
   */
  public long remainingOpenNanos(long now) {
    Status s = status;
    if (s.state() == BreakerState.OPEN) {
      return Math.max(0, s.openUntil() - now);
    }
    return 0;
  }

  public Permit tryAcquire(long now) {
    while (true) {
      Status s = status;
      switch (s.state()) {
        case CLOSED:
          return Permit.NORMAL;
        case OPEN:
          if (now < s.openUntil()) {
            return Permit.DENIED;
          }
          // a new period (a new Status object): probes still out from an earlier one keep their
          // slots
          // until they report or time out, so probes in flight never exceed halfOpenRequests
          Status half = new Status(BreakerState.HALF_OPEN, 0, s.rule(), s.tripNanos());
          if (casStatus(s, half)) {
            publish(BreakerState.OPEN, BreakerState.HALF_OPEN, null, 0);
          }
          continue;
        default:
          Permit probe = takeSlot(s, now);
          if (probe == RETRY) {
            continue;
          }
          return probe;
      }
    }
  }

  /** Marks a lost race with a transition: look at the breaker again. */
  private static final Permit RETRY = new Permit(Permit.Kind.DENIED, -1, 0, null);

  /**
   * A probe in a free (or timed-out) slot of the half-open period {@code s}; DENIED when none;
   * RETRY after a race.
   */
  private Permit takeSlot(Status s, long now) {
    AtomicReferenceArray<Permit> probes = probes();
    for (int i = 0; i < halfOpenRequests; i++) {
      Permit held = probes.get(i);
      if (held != null && !timedOut(held, now)) {
        continue;
      }
      Permit probe = new Permit(Permit.Kind.PROBE, i, now, s);
      if (!probes.compareAndSet(i, held, probe)) {
        continue;
      }
      if (status != s) {
        // the period ended while the slot was taken: give it back and look again
        probes.compareAndSet(i, probe, null);
        return RETRY;
      }
      return probe;
    }
    return Permit.DENIED;
  }

  private boolean hasFreeSlot(long now) {
    AtomicReferenceArray<Permit> probes = this.probes;
    if (probes == null) {
      return true;
    }
    for (int i = 0; i < halfOpenRequests; i++) {
      Permit held = probes.get(i);
      if (held == null || timedOut(held, now)) {
        return true;
      }
    }
    return false;
  }

  private boolean timedOut(Permit probe, long now) {
    return now - probe.grantedNanos >= probeTimeoutNanos;
  }

  /** Frees the probe's slot unless another probe took it over after a timeout. */
  private void freeSlot(Permit probe) {
    probes().compareAndSet(probe.slot, probe, null);
  }

  /**
   * Records the outcome of a permitted request: {@code status} &gt; 0 for a response, else the
   * error {@code reason}. {@code retryAfterNanos} is the backend's Retry-After on a 429/503, or -1.
   */
  public void onResult(
      Permit permit, long now, int httpStatus, String reason, long retryAfterNanos) {
    onResult(permit, now, httpStatus, reason, retryAfterNanos, null);
  }

  /**
   * As above, for a gRPC response its {@code grpcStatus} too (issue 14; {@code null}: none or not
   * gRPC).
   */
  public void onResult(
      Permit permit,
      long now,
      int httpStatus,
      String reason,
      long retryAfterNanos,
      GrpcStatus grpcStatus) {
    if (permit == Permit.DENIED) {
      return;
    }
    boolean probe = permit.isProbe();
    FailureRule[] rules = this.rules;
    if (rules == null) {
      if (!probe && !countsRequests && !anyFailure(httpStatus, reason, grpcStatus)) {
        // a success that no rule counts: nothing to remember (the usual case, without state)
        return;
      }
      rules = rules();
    }
    FailureRule tripped = null;
    boolean failed = false;
    for (FailureRule r : rules) {
      if (!probe && r.countsRequests()) {
        r.recordRequest(now);
      }
      if (r.isFailure(httpStatus, reason) || r.isGrpcFailure(grpcStatus)) {
        failed = true;
        if (!probe && r.recordFailureAndCheck(now) && tripped == null) {
          tripped = r;
        }
        if (probe && tripped == null) {
          tripped = r;
        }
      }
    }
    if (probe) {
      freeSlot(permit);
      Status s = status;
      if (s != permit.period) {
        // the breaker left the half-open period this probe was granted in: its outcome decides
        // nothing
        return;
      }
      if (failed) {
        open(s, tripped, now, retryAfterNanos);
      } else if (casStatus(s, CLOSED)) {
        resetRules();
        publish(BreakerState.HALF_OPEN, BreakerState.CLOSED, null, 0);
      }
    } else if (tripped != null) {
      Status s = status;
      if (s.state() == BreakerState.CLOSED) {
        open(s, tripped, now, retryAfterNanos);
      }
    }
  }

  /**
   * A permitted request ended without an outcome (the client left): frees a probe slot, counts
   * nothing.
   */
  public void release(Permit permit) {
    if (permit.isProbe()) {
      freeSlot(permit);
    }
  }

  /**
   * Closes the breaker now, whatever its state (APIM's backend reconnect). Probes still out keep
   * their slots until they report (their outcome then decides nothing) or time out.
   */
  public void reset() {
    Status s = (Status) STATUS.getAndSet(this, CLOSED);
    resetRules();
    if (s.state() != BreakerState.CLOSED) {
      publish(s.state(), BreakerState.CLOSED, null, 0);
    }
  }

  public boolean hasRules() {
    return !ruleConfigs.isEmpty();
  }

  /** Whether some rule counts the outcome as a failure. */
  private boolean anyFailure(int httpStatus, String reason, GrpcStatus grpcStatus) {
    for (int i = 0; i < ruleConfigs.size(); i++) {
      BreakerRuleConfig c = ruleConfigs.get(i);
      if (FailureRule.isFailure(c, httpStatus, reason)
          || FailureRule.isGrpcFailure(c, grpcStatus)) {
        return true;
      }
    }
    return false;
  }

  boolean countsRequests() {
    return countsRequests;
  }

  private void open(Status from, FailureRule rule, long now, long retryAfterNanos) {
    long trip = rule.tripNanos;
    if (rule.config.acceptRetryAfter() && retryAfterNanos >= 0) {
      trip = Math.min(retryAfterNanos, maxRetryAfterNanos);
    }
    Status open = new Status(BreakerState.OPEN, now + trip, rule.config.name(), trip);
    if (casStatus(from, open)) {
      publish(from.state(), BreakerState.OPEN, rule.config.name(), trip);
    }
  }

  private void resetRules() {
    FailureRule[] rules = this.rules;
    if (rules == null) {
      return;
    }
    for (FailureRule r : rules) {
      r.reset();
    }
  }

  /** The endpoint left its backend: this breaker announces no further transitions. */
  public void retire() {
    retired = true;
  }

  private void publish(BreakerState from, BreakerState to, String rule, long tripNanos) {
    if (retired) {
      return;
    }
    listener.accept(
        new BreakerTransition(
            backend,
            endpoint,
            from,
            to,
            Instant.now(),
            rule,
            (TimeUnit.NANOSECONDS.toMillis(tripNanos) + 999) / 1000));
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + backend + " " + endpoint + " " + status.state() + "]";
  }
}
