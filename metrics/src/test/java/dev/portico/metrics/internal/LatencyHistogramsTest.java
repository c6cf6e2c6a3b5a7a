package dev.portico.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.metrics.MetricsSettings;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.config.PrometheusPropertiesLoader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compact histograms render exactly what the Micrometer timers they replace rendered: each case
 * records the same durations into a {@link LatencyHistograms} series and into a Micrometer
 * Prometheus timer built as the request histograms were built before (SLO buckets, no percentile
 * histogram), and compares the two scrapes' lines of that name, in both formats.
 */
class LatencyHistogramsTest {

  static final String NAME = "portico_request_duration_seconds";
  static final String HELP = "Time from accepting a request to the end of its response";
  static final Duration[] BUCKETS =
      MetricsSettings.DEFAULT_LATENCY_BUCKETS.stream()
          .map(s -> Duration.ofNanos(Math.round(s * 1e9)))
          .toArray(Duration[]::new);

  /**
   * The scrape lines of {@link #NAME} (exemplar timestamps blanked: they are the record's time).
   */
  static List<String> lines(PrometheusMeterRegistry registry, String contentType) {
    return registry
        .scrape(contentType)
        .lines()
        .filter(l -> l.contains(NAME))
        .map(l -> l.replaceAll("(# \\{[^}]*\\} \\S+) \\d+(\\.\\d+)?$", "$1 T"))
        .collect(Collectors.toList());
  }

  static PrometheusMeterRegistry registry(SpanContext spans) {
    return spans == null
        ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
        : new PrometheusMeterRegistry(
            PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM, spans);
  }

  /** The registry with the compact family and the one with the Micrometer timer. */
  record Pair(
      PrometheusMeterRegistry compact,
      LatencyHistograms.Series series,
      PrometheusMeterRegistry micrometer,
      Timer timer) {

    static Pair of(SpanContext spans, String... labelValues) {
      PrometheusMeterRegistry compact = registry(spans);
      LatencyHistograms histograms =
          new LatencyHistograms(
              BUCKETS,
              spans,
              PrometheusPropertiesLoader.load(PrometheusConfig.DEFAULT.prometheusProperties())
                  .getExemplarProperties());
      LatencyHistograms.Family family =
          histograms.family(NAME, HELP, "api", "backend", "method", "reason", "status_class");
      histograms.register(compact.getPrometheusRegistry());
      PrometheusMeterRegistry micrometer = registry(spans);
      Timer timer =
          Timer.builder("portico.request.duration")
              .description(HELP)
              .tags(
                  "api",
                  labelValues[0],
                  "backend",
                  labelValues[1],
                  "method",
                  labelValues[2],
                  "reason",
                  labelValues[3],
                  "status_class",
                  labelValues[4])
              .serviceLevelObjectives(BUCKETS)
              .publishPercentileHistogram(false)
              .register(micrometer);
      return new Pair(compact, family.series(labelValues), micrometer, timer);
    }

    void record(long nanos) {
      series.record(nanos);
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    void assertSameScrapes() {
      for (String type :
          List.of(
              "text/plain; version=0.0.4; charset=utf-8",
              "application/openmetrics-text; version=1.0.0; charset=utf-8")) {
        assertThat(lines(compact, type)).isNotEmpty().isEqualTo(lines(micrometer, type));
      }
    }
  }

  @Test
  void aSeriesRendersAsTheMicrometerTimerDid() {
    Pair p = Pair.of(null, "orders", "orders-be", "GET", "none", "2xx");
    // bucket bounds exactly (le is inclusive), between them, beyond the last, zero
    for (long nanos :
        new long[] {
          0,
          999_999,
          1_000_000,
          1_000_001,
          3_000_000,
          250_000_000,
          29_999_999_999L,
          30_000_000_000L,
          31_000_000_000L,
          120_000_000_000L,
          7
        }) {
      p.record(nanos);
    }
    p.assertSameScrapes();
    assertThat(lines(p.compact, null))
        .contains(
            NAME
                + "_bucket{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\",le=\"0.001\"} 4",
            NAME
                + "_count{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 11",
            NAME
                + "_max{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 120.0");
  }

  @Test
  void negativeDurationsAreNotRecordedAsBefore() {
    Pair p = Pair.of(null, "a", "b", "GET", "none", "2xx");
    p.record(5_000_000);
    p.series.record(-1);
    p.timer.record(-1, TimeUnit.NANOSECONDS);
    p.assertSameScrapes();
  }

  @Test
  void exemplarsAsBeforeWhenASpanContextIsGiven() {
    SpanContext spans =
        new SpanContext() {
          @Override
          public String getCurrentTraceId() {
            return "4bf92f3577b34da6a3ce929d0e0e4736";
          }

          @Override
          public String getCurrentSpanId() {
            return "00f067aa0ba902b7";
          }

          @Override
          public boolean isCurrentSpanSampled() {
            return true;
          }

          @Override
          public void markCurrentSpanAsExemplar() {}
        };
    Pair p = Pair.of(spans, "orders", "orders-be", "GET", "none", "2xx");
    p.record(3_000_000);
    p.assertSameScrapes();
    assertThat(lines(p.compact, "application/openmetrics-text; version=1.0.0; charset=utf-8"))
        .anyMatch(
            l ->
                l.contains(
                    "le=\"0.005\"} 1 # {span_id=\"00f067aa0ba902b7\",trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 0.003 T"));
  }

  @Test
  void noSeriesNoFamily() {
    PrometheusMeterRegistry empty = registry(null);
    LatencyHistograms h = new LatencyHistograms(BUCKETS, null, null);
    h.family(NAME, HELP, "api");
    h.register(empty.getPrometheusRegistry());
    assertThat(lines(empty, null)).isEmpty();
  }

  @Test
  void threadsRacingForTheMaximumKeepTheLargest() throws Exception {
    // more threads than stripes (at most 8, one per core on this machine's count): some share a
    // stripe's max slot and race for it
    Pair p = Pair.of(null, "a", "b", "GET", "none", "2xx");
    int threadCount = 12;
    int perThread = 5_000;
    // each thread's values rise, interleaved with the others': new maxima all along
    onThreads(
        threadCount,
        t -> {
          for (int i = 0; i < perThread; i++) {
            p.series.record((long) (i * threadCount + t + 1) * 1_000);
          }
        });
    assertThat(lines(p.compact, null))
        .contains(
            NAME
                + "_max{api=\"a\",backend=\"b\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} "
                + (threadCount * perThread * 1_000) / 1e9);
  }

  @Test
  void threadsRecordingIntoOneSeriesAddUp() throws Exception {
    Pair p = Pair.of(null, "a", "b", "GET", "none", "2xx");
    onThreads(
        4,
        t -> {
          for (int i = 0; i < 10_000; i++) {
            p.series.record(2_000_000);
          }
        });
    assertThat(lines(p.compact, null))
        .contains(
            NAME
                + "_count{api=\"a\",backend=\"b\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 40000",
            NAME
                + "_bucket{api=\"a\",backend=\"b\",method=\"GET\",reason=\"none\",status_class=\"2xx\",le=\"0.001\"} 0",
            NAME
                + "_bucket{api=\"a\",backend=\"b\",method=\"GET\",reason=\"none\",status_class=\"2xx\",le=\"0.0025\"} 40000",
            NAME
                + "_sum{api=\"a\",backend=\"b\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 80.0");
  }

  /** Runs {@code body} on {@code count} threads of its own at once (given each one's index). */
  private static void onThreads(int count, IntConsumer body) throws Exception {
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      int index = t;
      threads.add(CompletableFuture.runAsync(() -> body.accept(index), r -> new Thread(r).start()));
    }
    for (CompletableFuture<Void> f : threads) {
      f.get(30, TimeUnit.SECONDS);
    }
  }
}
