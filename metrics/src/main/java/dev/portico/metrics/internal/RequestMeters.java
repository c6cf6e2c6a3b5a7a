package dev.portico.metrics.internal;

import dev.portico.metrics.Labels;
import dev.portico.metrics.MeterNames;
import dev.portico.metrics.PorticoMetrics;
import dev.portico.metrics.RouteMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters, on the hot path. Each label combination's meter is looked up once and
 * then kept in a flat array indexed by (method, status class, reason) under its API and backend, so
 * recording a request by ids costs two hash lookups on strings whose hash is cached (ids from the
 * configuration), an array read and the histogram update, and through a {@link RouteMeters} handle
 * (resolved once per route) only the array read and the update: no lock, no string building, no
 * allocation once warm. Races only ever store the same series (a histogram family answers one
 * series per label set), so no synchronisation is needed.
 *
 * <p>The arrays are two-level ({@link Slots}): one (method, status class) row of reasons is made
 * when its first request is recorded. A flat array of every combination was 1,200 references (4.8
 * KB) per API and backend, 48 MB at 10,000 APIs for the one or two combinations each really sees
 * (issue 13).
 */
public final class RequestMeters {

  /**
   * The Prometheus names of the two latency histograms, made from {@link MeterNames} by
   * Micrometer's own Prometheus convention, as the timers they replace had them ({@code _seconds}
   * appended).
   */
  static final String PROMETHEUS_REQUEST_DURATION =
      prometheusTimerName(MeterNames.REQUEST_DURATION);

  static final String PROMETHEUS_UPSTREAM_DURATION =
      prometheusTimerName(MeterNames.UPSTREAM_DURATION);

  private static String prometheusTimerName(String name) {
    return new PrometheusNamingConvention().name(name, Meter.Type.TIMER, "seconds");
  }

  /**
   * The Prometheus name of {@link MeterNames#REQUESTS_IN_FLIGHT} (a gauge: no suffix), as the
   * Micrometer gauge it replaces had it.
   */
  public static final String PROMETHEUS_IN_FLIGHT =
      new PrometheusNamingConvention().name(MeterNames.REQUESTS_IN_FLIGHT, Meter.Type.GAUGE);

  private static final String IN_FLIGHT_HELP = "Requests accepted and not yet completed";

  private static final int STATUS_CLASSES = Labels.STATUS_CLASS_VALUES.size();
  private static final int REASONS = Labels.REASON_VALUES.size();
  private static final int METHODS = Labels.METHOD_VALUES.size();

  private final MeterRegistry registry;
  private final LatencyHistograms.Family requestHistograms;
  private final LatencyHistograms.Family upstreamHistograms;
  private final ConcurrentHashMap<String, ApiMeters> apis = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Slots> upstream = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<RetryKey, Counter> retries = new ConcurrentHashMap<>();

  /**
   * @param prometheus where the in-flight gauges are rendered from (registered here)
   * @param histograms where the request and upstream histograms live (registered by the caller once
   *     their families are made here)
   */
  public RequestMeters(
      MeterRegistry registry, PrometheusRegistry prometheus, LatencyHistograms histograms) {
    this.registry = registry;
    prometheus.register(new InFlightGauges(apis));
    // label names in Micrometer's order (sorted by name), as the timers had them
    this.requestHistograms =
        histograms.family(
            PROMETHEUS_REQUEST_DURATION,
            "Time from accepting a request to the end of its response",
            MeterNames.API,
            MeterNames.BACKEND,
            MeterNames.METHOD,
            MeterNames.REASON,
            MeterNames.STATUS_CLASS);
    this.upstreamHistograms =
        histograms.family(
            PROMETHEUS_UPSTREAM_DURATION,
            "Time of one attempt at a backend: from sending to the response headers or the failure",
            MeterNames.BACKEND,
            MeterNames.REASON,
            MeterNames.STATUS_CLASS);
  }

  /** Declares the in-flight gauge of {@code apiId} now, so it reads 0 before the first request. */
  public void declareApi(String apiId) {
    api(apiId);
  }

  public void started(String apiId) {
    api(apiId).inFlight.increment();
  }

  public void completed(
      String apiId, String backendId, String method, int status, String reason, long nanos) {
    ApiMeters api = api(apiId);
    api.inFlight.decrement();
    String backend = Labels.backend(backendId);
    record(apiId, backend, api.slots(backend), method, status, reason, nanos);
  }

  /**
   * The meters of {@code apiId}'s requests to {@code backendId}, resolved now: the handle records
   * into the same series as {@link #started} and {@link #completed} without looking them up.
   *
   * @param owner what {@link RouteMeters#of} answers {@code true} for
   */
  public RouteMeters route(String apiId, String backendId, Object owner) {
    ApiMeters api = api(apiId);
    String backend = Labels.backend(backendId);
    // the backend's upstream row holder (no series yet: they appear at their first attempt)
    Slots attempts = backendId == null ? null : upstreamSlots(backend);
    return new ApiRoute(
        this, api.inFlight, apiId, backendId, backend, api.slots(backend), attempts, owner);
  }

  private void record(
      String apiId,
      String backend,
      Slots slots,
      String method,
      int status,
      String reason,
      long nanos) {
    int m = Labels.methodIndex(method);
    int s = Labels.statusClassIndex(status);
    int r = Labels.reasonIndex(reason);
    int row = m * STATUS_CLASSES + s;
    LatencyHistograms.Series t = slots.get(row, r);
    if (t == null) {
      t =
          requestHistograms.series(
              apiId,
              backend,
              Labels.METHOD_VALUES.get(m),
              Labels.REASON_VALUES.get(r),
              Labels.STATUS_CLASS_VALUES.get(s));
      slots.set(row, r, t);
    }
    t.record(nanos);
  }

  public void attempt(String backendId, int status, String reason, long nanos) {
    String backend = Labels.backend(backendId);
    attempt(backend, upstreamSlots(backend), status, reason, nanos);
  }

  private Slots upstreamSlots(String backend) {
    Slots slots = upstream.get(backend);
    return slots != null
        ? slots
        : upstream.computeIfAbsent(backend, k -> new Slots(STATUS_CLASSES));
  }

  private void attempt(String backend, Slots slots, int status, String reason, long nanos) {
    int s = Labels.statusClassIndex(status);
    int r = Labels.reasonIndex(reason);
    LatencyHistograms.Series t = slots.get(s, r);
    if (t == null) {
      t =
          upstreamHistograms.series(
              backend, Labels.REASON_VALUES.get(r), Labels.STATUS_CLASS_VALUES.get(s));
      slots.set(s, r, t);
    }
    t.record(nanos);
  }

  /** Retries are rare next to requests: a small key object per retry is fine. */
  public void retried(String apiId, String backendId, String reason) {
    RetryKey key = new RetryKey(apiId, Labels.backend(backendId), Labels.retryReason(reason));
    Counter c = retries.get(key);
    if (c == null) {
      c =
          retries.computeIfAbsent(
              key,
              k ->
                  Counter.builder(MeterNames.RETRIES)
                      .description("Attempts made again after a failure or a retryable status")
                      .tags(
                          MeterNames.API,
                          k.api,
                          MeterNames.BACKEND,
                          k.backend,
                          MeterNames.REASON,
                          k.reason)
                      .register(registry));
    }
    c.increment();
  }

  /** Requests of {@code apiId} in flight now (tests, readiness). */
  public long inFlight(String apiId) {
    ApiMeters api = apis.get(apiId);
    return api == null ? 0 : api.inFlight.sum();
  }

  private ApiMeters api(String apiId) {
    ApiMeters api = apis.get(apiId);
    return api != null ? api : apis.computeIfAbsent(apiId, k -> new ApiMeters());
  }

  /**
   * {@code portico_requests_in_flight}: one series per API, rendered at each scrape from the map of
   * APIs, instead of a Micrometer gauge per API. At 10,000 APIs those were 10,000 meters (ids,
   * tags, registry entries, Prometheus children: 70,000 objects, 4.6 MB of the live heap) made one
   * by one on an event loop while the gateway started, about 0.1 s of CPU. The series are the same:
   * name, help, type, the {@code api} label and the value. A class, not a record: the registry
   * finds a collector by equality when it unregisters one, and a record's would compare the live
   * maps (a map of 10,000 APIs against another, or equal for two empty ones).
   */
  private static final class InFlightGauges implements Collector {

    private final ConcurrentHashMap<String, ApiMeters> apis;

    InFlightGauges(ConcurrentHashMap<String, ApiMeters> apis) {
      this.apis = apis;
    }

    @Override
    public String getPrometheusName() {
      return PROMETHEUS_IN_FLIGHT;
    }

    @Override
    public MetricSnapshot collect() {
      List<GaugeDataPointSnapshot> points = new ArrayList<>(apis.size());
      apis.forEach(
          (api, meters) ->
              points.add(
                  new GaugeDataPointSnapshot(
                      meters.inFlight.sum(),
                      io.prometheus.metrics.model.snapshots.Labels.of(MeterNames.API, api),
                      null)));
      return new GaugeSnapshot(new MetricMetadata(PROMETHEUS_IN_FLIGHT, IN_FLIGHT_HELP), points);
    }
  }

  /**
   * LongAdder: every event loop updates the same API's gauge; an AtomicLong would bounce its cache
   * line between cores.
   */
  private static final class ApiMeters {
    final LongAdder inFlight = new LongAdder();
    final ConcurrentHashMap<String, Slots> byBackend = new ConcurrentHashMap<>();

    Slots slots(String backend) {
      Slots slots = byBackend.get(backend);
      return slots != null
          ? slots
          : byBackend.computeIfAbsent(backend, k -> new Slots(METHODS * STATUS_CLASSES));
    }
  }

  /**
   * Latency series by (row, reason): a row (a method and status class; for upstream attempts a
   * status class) holds one series per reason and is made at its first series; racing threads agree
   * on one row (compare-and-set), and store the same series (its family answers one series per
   * label set).
   */
  private static final class Slots {
    private final AtomicReferenceArray<AtomicReferenceArray<Placed>> rows;

    /**
     * The series used last, with its place: a route's requests mostly end the same way, and this
     * one object stands for the two arrays and their holders a look-up reads (cold cache lines when
     * thousands of APIs are served at random). It is one of the objects the rows hold, so switching
     * between outcomes allocates nothing; racing threads replace it whole, never in part.
     */
    private Placed last;

    Slots(int rows) {
      this.rows = new AtomicReferenceArray<>(rows);
    }

    LatencyHistograms.Series get(int row, int reason) {
      Placed l = last;
      if (l != null && l.row == row && l.reason == reason) {
        return l.series;
      }
      AtomicReferenceArray<Placed> r = rows.get(row);
      Placed p = r == null ? null : r.get(reason);
      if (p == null) {
        return null;
      }
      last = p;
      return p.series;
    }

    void set(int row, int reason, LatencyHistograms.Series series) {
      AtomicReferenceArray<Placed> r = rows.get(row);
      if (r == null) {
        AtomicReferenceArray<Placed> made = new AtomicReferenceArray<>(REASONS);
        r = rows.compareAndSet(row, null, made) ? made : rows.get(row);
      }
      r.set(reason, new Placed(row, reason, series));
    }
  }

  /**
   * A series of {@link Slots} with its row and reason (final fields: safe to publish by a race).
   */
  private record Placed(int row, int reason, LatencyHistograms.Series series) {}

  /**
   * One API's in-flight gauge and its histograms towards one backend, and that backend's upstream
   * histograms ({@code attempts}, {@code null} without a backend), looked up once.
   */
  private record ApiRoute(
      RequestMeters meters,
      LongAdder inFlight,
      String apiId,
      String backendId,
      String backend,
      Slots slots,
      Slots attempts,
      Object owner)
      implements RouteMeters {

    @Override
    public void started() {
      inFlight.increment();
    }

    @Override
    public void completed(String method, int status, String reason, long nanos) {
      inFlight.decrement();
      meters.record(apiId, backend, slots, method, status, reason, nanos);
    }

    @Override
    public void attempt(String backendId, int status, String reason, long nanos) {
      // ids come from one compiled configuration: the same instance, so == decides at once
      if (attempts != null
          && (backendId == this.backendId
              || (backendId != null && backendId.equals(this.backendId)))) {
        meters.attempt(backend, attempts, status, reason, nanos);
      } else {
        meters.attempt(backendId, status, reason, nanos);
      }
    }

    @Override
    public boolean of(PorticoMetrics metrics) {
      return owner == metrics;
    }
  }

  private record RetryKey(String api, String backend, String reason) {}
}
