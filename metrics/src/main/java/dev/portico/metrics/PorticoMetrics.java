package dev.portico.metrics;

import dev.portico.metrics.internal.BreakerMeters;
import dev.portico.metrics.internal.FabricMeters;
import dev.portico.metrics.internal.LatencyHistograms;
import dev.portico.metrics.internal.RegistryMeters;
import dev.portico.metrics.internal.RequestMeters;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.config.PrometheusPropertiesLoader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Portico's metrics: one Prometheus registry holding the gateway's own meters (see {@link
 * MeterNames}), the JVM and process meters, and Vert.x's (HTTP server and client, pools, event bus)
 * when Vert.x is built with {@link #vertxMetricsFactory()} and {@link #vertxMetricsOptions()}. It
 * knows nothing of the gateway: callers record plain ids and values, and the label value sets are
 * those of {@link Labels}.
 *
 * <p>Recording methods are thread-safe, lock-free and cheap enough for the request path.
 */
public final class PorticoMetrics implements AutoCloseable {

  /** Content type of the Prometheus text format. */
  public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  /** Content type of OpenMetrics text, served when the scraper asks for it. */
  public static final String OPENMETRICS_FORMAT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final PrometheusMeterRegistry registry;
  private final String vertxRegistryName;
  private final List<MeterBinder> binders = new ArrayList<>();
  private final RequestMeters requests;
  private final BreakerMeters breakers;
  private final RegistryMeters registryInstances;
  private final FabricMeters fabric;
  private final AtomicInteger lastReloadSuccessful = new AtomicInteger(1);
  private final Counter drainAbandoned;
  private final java.util.concurrent.ConcurrentHashMap<String, WebSocketMeters> webSockets =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.time.Duration[] bucketDurations;

  /**
   * The families with a series per API or per service, each scraped on its own (see {@link
   * #scrape(String, OutputStream)}).
   */
  private final List<String> perApiFamilies;

  private PorticoMetrics(MetricsSettings settings, SpanContext exemplars) {
    // without a span context Micrometer installs no exemplar sampler at all: tracing off costs
    // nothing here
    registry =
        exemplars == null
            ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
            : new PrometheusMeterRegistry(
                PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM, exemplars);
    // filters before the first meter: Micrometer applies them only to meters registered later (and
    // warns)
    if (settings.jvm()) {
      promtoolCleanJvmFilters();
    }
    // Vert.x keeps backend registries in a static map by name: a unique name per instance keeps
    // several gateways in one JVM (tests) from sharing, or closing, each other's registry
    vertxRegistryName = "portico-" + INSTANCES.incrementAndGet();
    LatencyHistograms histograms =
        new LatencyHistograms(
            settings.bucketDurations(),
            exemplars,
            PrometheusPropertiesLoader.load(PrometheusConfig.DEFAULT.prometheusProperties())
                .getExemplarProperties());
    requests = new RequestMeters(registry, registry.getPrometheusRegistry(), histograms);
    histograms.register(registry.getPrometheusRegistry());
    bucketDurations = settings.bucketDurations();
    breakers = new BreakerMeters(registry);
    registryInstances = new RegistryMeters(registry.getPrometheusRegistry());
    List<String> large = new ArrayList<>(histograms.getPrometheusNames());
    large.add(RequestMeters.PROMETHEUS_IN_FLIGHT);
    large.add(registryInstances.getPrometheusName());
    perApiFamilies = List.copyOf(large);
    fabric = new FabricMeters(registry);
    drainAbandoned =
        Counter.builder(MeterNames.DRAIN_ABANDONED)
            .description(
                "Requests still in flight when a shutdown drain's grace period ended (cut off)")
            .register(registry);
    Gauge.builder(
            MeterNames.CONFIG_LAST_RELOAD_SUCCESSFUL, lastReloadSuccessful, AtomicInteger::get)
        .description(
            "1 when the last configuration reload applied or found nothing to change (1 before any), else 0")
        .register(registry);
    if (settings.jvm()) {
      promtoolCleanJvmNames();
      bind(
          new ClassLoaderMetrics(),
          new JvmMemoryMetrics(),
          new JvmGcMetrics(),
          new JvmHeapPressureMetrics(),
          new JvmThreadMetrics(),
          new JvmInfoMetrics(),
          new ProcessorMetrics(),
          new UptimeMetrics(),
          new FileDescriptorMetrics());
    }
  }

  public static PorticoMetrics create(MetricsSettings settings) {
    return new PorticoMetrics(settings, null);
  }

  /**
   * Meters whose histograms carry exemplars: the trace and span id {@code exemplars} reports as
   * current when an observation is recorded (shown in the OpenMetrics exposition only).
   */
  public static PorticoMetrics create(MetricsSettings settings, SpanContext exemplars) {
    return new PorticoMetrics(settings, exemplars);
  }

  /** The registry, to add meters beyond Portico's own. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Give to {@code Vertx.builder().withMetrics(...)} so Vert.x records into this registry. */
  public VertxMetricsFactory vertxMetricsFactory() {
    return new MicrometerMetricsFactory(registry);
  }

  /**
   * Put into {@code VertxOptions.setMetricsOptions(...)} together with {@link
   * #vertxMetricsFactory()}. Vert.x's default labels minus {@code method}: Vert.x would take it
   * verbatim from the request line, so any client could mint series with made-up methods ({@code
   * portico_request_duration_seconds} carries the method, folded onto the standard set). Plus
   * {@code local}, the listener's address, which tells traffic from management and scrapes; there
   * are as many values as listeners.
   */
  public MicrometerMetricsOptions vertxMetricsOptions() {
    return vertxMetricsOptions(true);
  }

  /**
   * @param http also Vert.x's per-request HTTP server and client meters; they repeat the gateway's
   *     request and upstream histograms at several registry look-ups per request
   */
  public MicrometerMetricsOptions vertxMetricsOptions(boolean http) {
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(vertxRegistryName)
            .setJvmMetricsEnabled(false)
            // the event bus only carries registry announcements and breaker events here; its meters
            // also re-register a gauge per handler, which Micrometer warns about at start-up
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            .setLabels(
                EnumSet.of(
                    Label.LOCAL, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE));
    if (!http) {
      options
          .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
          .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
    }
    return options;
  }

  // --- requests (hot path) -------------------------------------------------------------------

  /** Makes the in-flight gauge of these APIs exist (at 0) before their first request. */
  public void declareApis(Iterable<String> apiIds) {
    apiIds.forEach(requests::declareApi);
  }

  /** A request of {@code apiId} was accepted; pair with exactly one {@link #requestCompleted}. */
  public void requestStarted(String apiId) {
    requests.started(apiId);
  }

  /**
   * @param backendId backend id, or {@code null} when none was chosen
   * @param method the HTTP method name as received (non-standard ones count as {@code OTHER})
   * @param status the status sent, 0 when none was
   * @param reason the error reason, {@code null} when none
   * @param nanos from accept to the end of the response
   */
  public void requestCompleted(
      String apiId, String backendId, String method, int status, String reason, long nanos) {
    requests.completed(apiId, backendId, method, status, reason, nanos);
  }

  /**
   * The meters of {@code apiId}'s requests to {@code backendId} ({@code null}: none), for a caller
   * that keeps them with its route: recording through them is {@link #requestStarted} and {@link
   * #requestCompleted} without the per-request look-ups. Same series, same labels.
   */
  public RouteMeters routeMeters(String apiId, String backendId) {
    return requests.route(apiId, backendId, this);
  }

  /**
   * One attempt at a backend ended: response headers ({@code status}), or a failure ({@code status}
   * 0, {@code reason}).
   */
  public void upstreamAttempt(String backendId, int status, String reason, long nanos) {
    requests.attempt(backendId, status, reason, nanos);
  }

  public void retried(String apiId, String backendId, String reason) {
    requests.retried(apiId, backendId, reason);
  }

  /** The WebSocket meters of {@code apiId}, made on first use (issue 14). */
  public WebSocketMeters webSocket(String apiId) {
    WebSocketMeters m = webSockets.get(apiId);
    return m != null
        ? m
        : webSockets.computeIfAbsent(
            apiId, id -> new WebSocketMeters(registry, id, bucketDurations));
  }

  public long inFlight(String apiId) {
    return requests.inFlight(apiId);
  }

  // --- breakers, registry, Service Fabric ----------------------------------------------------

  public void breakerTransition(String backendId, String endpoint, BreakerState to) {
    breakers.transition(backendId, endpoint, to);
  }

  /** The breaker is gone with its endpoint: its state and transition series are removed. */
  public void breakerRetired(String backendId, String endpoint) {
    breakers.retire(backendId, endpoint);
  }

  /** The last state reported for the breaker, or {@code null} if none was. */
  public BreakerState breakerState(String backendId, String endpoint) {
    return breakers.state(backendId, endpoint);
  }

  /**
   * Replaces the registry counts, per service and then per source (a bounded set of labels the
   * caller chooses: its registry sources' ids and a few fixed values). Services absent from {@code
   * counts} read 0 if in {@code keep} (services the configuration routes to), and lose their series
   * otherwise.
   */
  public void registryInstances(
      Map<String, Map<String, ServiceInstanceCounts>> counts, Set<String> keep) {
    registryInstances.update(counts, keep);
  }

  /**
   * Applies a registry change: new counts, per source, of the {@code changed} services; one whose
   * map is empty has no record any more: it reads 0 if in {@code keep}, and loses its series
   * otherwise.
   */
  public void registryInstancesChanged(
      Map<String, Map<String, ServiceInstanceCounts>> changed, Set<String> keep) {
    registryInstances.changed(changed, keep);
  }

  /**
   * One Service Fabric resolution of {@code service} (a {@code fabric:/App/Service} name) and how
   * long it took.
   */
  public void recordFabricResolution(String service, FabricResolution result, long nanos) {
    fabric.record(service, result, nanos);
  }

  /**
   * Exposes a count kept elsewhere (for instance by the access log writer) as {@code
   * portico_access_log_dropped_total}.
   */
  public void bindAccessLogDropped(Supplier<Long> dropped) {
    FunctionCounter.builder(MeterNames.ACCESS_LOG_DROPPED, dropped, d -> d.get())
        .description("Access log lines dropped because the writer could not keep up")
        .register(registry);
  }

  /**
   * A configuration reload ended with {@code result} ({@code applied}, {@code unchanged}, {@code
   * invalid}, {@code restart_required}, {@code failed}); the first two count as successful.
   */
  public void configReloaded(String result) {
    Counter.builder(MeterNames.CONFIG_RELOADS)
        .description("Configuration reloads, by result")
        .tag("result", result)
        .register(registry)
        .increment();
    lastReloadSuccessful.set("applied".equals(result) || "unchanged".equals(result) ? 1 : 0);
  }

  // --- health and lifecycle ------------------------------------------------------------------

  /**
   * {@code portico_ready} from {@code ready}, and one {@code portico_readiness_degraded} series per
   * check; all read when scraped.
   */
  public void bindReadiness(BooleanSupplier ready, Map<String, BooleanSupplier> degradedByCheck) {
    Gauge.builder(MeterNames.READY, ready, r -> r.getAsBoolean() ? 1 : 0)
        .description(
            "1 when /health/ready answers 200 (ready, possibly degraded), else 0 (not ready, or draining)")
        // held strongly: the suppliers are lambdas nothing else keeps, a weak gauge reads NaN after
        // the first GC
        .strongReference(true)
        .register(registry);
    degradedByCheck.forEach(
        (check, degraded) ->
            Gauge.builder(MeterNames.READINESS_DEGRADED, degraded, d -> d.getAsBoolean() ? 1 : 0)
                .description(
                    "1 while the readiness check serves from data it cannot refresh (ready, but degraded)")
                .tag(MeterNames.CHECK, check)
                .strongReference(true)
                .register(registry));
  }

  /** {@code portico_draining} from {@code draining}, read when scraped. */
  public void bindDraining(BooleanSupplier draining) {
    Gauge.builder(MeterNames.DRAINING, draining, d -> d.getAsBoolean() ? 1 : 0)
        .description("1 from the shutdown signal on (readiness 503, listeners closing)")
        .strongReference(true)
        .register(registry);
  }

  /** A drain's grace period ended with {@code requests} still in flight. */
  public void drainAbandoned(long requests) {
    drainAbandoned.increment(requests);
  }

  // --- exposition ------------------------------------------------------------------------------

  /**
   * Renders every meter, in OpenMetrics when {@code accept} asks for it, else in the Prometheus
   * text format. Costs time proportional to the number of series: call it off the event loop.
   */
  public Exposition scrape(String accept) {
    String type = contentType(accept);
    return new Exposition(type, registry.scrape(type));
  }

  /**
   * The same scrape written to {@code out} as it is rendered, without the whole text in one string
   * (at 10,000 APIs the text is tens of MB, and a string of it took several copies of that size).
   *
   * <p>Taken one family at a time for the families with a series per API or service, after all the
   * others in one piece: the Prometheus client holds every series of what it renders as snapshot
   * objects until it has written them, so one scrape of everything kept the series of the four
   * latency families, the in-flight gauges and the registry's counts (at 10,000 APIs, tens of
   * thousands of series) alive together while it wrote; young collections during a scrape copy and
   * promote what is alive. Now one family's are. The text is the same families, series and values;
   * only the families' order differs (which neither format fixes), and OpenMetrics' {@code # EOF}
   * comes once, at the end.
   *
   * @return the content type to send it with
   */
  public String scrape(String accept, OutputStream out) throws IOException {
    String type = contentType(accept);
    EofHeldBack parts = new EofHeldBack(out);
    registry.scrape(parts, type, new AllBut(perApiFamilies));
    parts.endOfPart();
    for (String family : perApiFamilies) {
      registry.scrape(parts, type, Set.of(family));
      parts.endOfPart();
    }
    if (type.equals(OPENMETRICS_FORMAT)) {
      out.write(EofHeldBack.EOF);
    }
    out.flush();
    return type;
  }

  /**
   * Every name but the given ones: the set Micrometer's scrape tests each family's name against
   * (only its {@code contains} is called).
   */
  private static final class AllBut extends AbstractSet<String> {
    private final List<String> excluded;

    AllBut(List<String> excluded) {
      this.excluded = excluded;
    }

    @Override
    public boolean contains(Object name) {
      return !excluded.contains(name);
    }

    @Override
    public Iterator<String> iterator() {
      throw new UnsupportedOperationException("the complement of a set of names");
    }

    @Override
    public int size() {
      throw new UnsupportedOperationException("the complement of a set of names");
    }
  }

  /**
   * Passes a scrape's bytes on, holding back the last six: an OpenMetrics part ends with {@code #
   * EOF}, which only the whole exposition may end with, so {@link #endOfPart} drops it (and passes
   * on anything else held back).
   */
  private static final class EofHeldBack extends OutputStream {
    static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final byte[] held = new byte[EOF.length];
    private final byte[] one = new byte[1];
    private int heldLength;

    EofHeldBack(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      one[0] = (byte) b;
      write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int release = heldLength + len - EOF.length;
      if (release <= 0) {
        System.arraycopy(b, off, held, heldLength, len);
        heldLength += len;
        return;
      }
      int fromHeld = Math.min(heldLength, release);
      out.write(held, 0, fromHeld);
      int fromNew = release - fromHeld;
      out.write(b, off, fromNew);
      int keptHeld = heldLength - fromHeld;
      System.arraycopy(held, fromHeld, held, 0, keptHeld);
      System.arraycopy(b, off + fromNew, held, keptHeld, len - fromNew);
      heldLength = EOF.length;
    }

    void endOfPart() throws IOException {
      if (!(heldLength == EOF.length && Arrays.equals(held, EOF))) {
        out.write(held, 0, heldLength);
      }
      heldLength = 0;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() {
      // the caller's stream: the caller closes it
    }
  }

  /** The content type a scrape for {@code accept} is rendered in (and to be sent with). */
  public static String contentType(String accept) {
    return accept != null && accept.contains("application/openmetrics-text")
        ? OPENMETRICS_FORMAT
        : TEXT_FORMAT;
  }

  @Override
  public void close() {
    for (MeterBinder b : binders) {
      if (b instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a binder only unregisters JMX listeners
        }
      }
    }
    registry.close();
  }

  /**
   * Three of Micrometer's JVM/process meters fail {@code promtool check metrics}: two carry
   * abbreviated units ({@code jvm_compilation_time_ms_total}, {@code process_cpu_time_ns_total})
   * and a gauge ends in {@code _count} ({@code system_cpu_count}). They are replaced by base-unit
   * equivalents (so {@code JvmCompilationMetrics}, which has nothing else, is not bound) ({@code
   * jvm_compilation_time_seconds_total}, and Prometheus' own {@code process_cpu_seconds_total}) and
   * a rename ({@code system_cpus}).
   */
  private void promtoolCleanJvmNames() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
      FunctionCounter.builder(
              "jvm.compilation.time", jit, j -> j.getTotalCompilationTime() / 1000.0)
          .baseUnit("seconds")
          .description("Time spent by the JIT compiler")
          .tag("compiler", jit.getName())
          .register(registry);
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the process")
          .register(registry);
    }
  }

  /** The filters of {@link #promtoolCleanJvmNames()}: the denial and the rename. */
  private void promtoolCleanJvmFilters() {
    registry
        .config()
        .meterFilter(
            MeterFilter.deny(
                id -> id.getName().equals("process.cpu.time") && "ns".equals(id.getBaseUnit())))
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
              }
            });
  }

  private void bind(MeterBinder... list) {
    for (MeterBinder b : list) {
      b.bindTo(registry);
      binders.add(b);
    }
  }
}
