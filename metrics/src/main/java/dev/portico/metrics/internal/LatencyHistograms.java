package dev.portico.metrics.internal;

import io.micrometer.core.instrument.util.TimeUtils;
import io.prometheus.metrics.config.ExemplarsProperties;
import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.core.exemplars.ExemplarSamplerConfig;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.tracer.common.SpanContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The request and upstream latency histograms, each series one compact array of counters rendered
 * by this Prometheus collector, instead of a Micrometer timer per series.
 *
 * <p>Why (issue 13): a Micrometer Prometheus timer records into two adders, a three-slot max, its
 * Prometheus histogram and a second rolling histogram of its own (a dozen objects, each on its own
 * cache lines, ~4 KB a series). At 10,000 APIs with the load spread at random, every request found
 * those lines cold in two timers. Here a series is one {@code long[]}: per stripe the sum, the max
 * slots and the bucket counts, side by side, so a record touches two or three lines, and 20,000
 * series take a fraction of the memory.
 *
 * <p>What a scrape shows is what the Micrometer timers showed: the histogram ({@code _bucket} with
 * the configured bounds and {@code +Inf}, {@code _count}, {@code _sum} in seconds, exemplars when a
 * span context is given) and the {@code _max} gauge (the largest value of the last two to three
 * minutes: a slot per minute, the three latest read, as Micrometer's time window max with its
 * Prometheus step of one minute), with the same help texts and labels; a series appears with its
 * first record ({@link Family#series}).
 *
 * <p>Threads record into stripes of a series (taken in turn as threads first record, at least as
 * many stripes as cores; summed when scraped), so the event loops recording into one busy series
 * mostly do not bounce a cache line between cores; threads sharing a stripe only contend.
 */
public final class LatencyHistograms implements MultiCollector {

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

  /** Stripes per series: a power of two covering the cores (at most 8), see {@link #stripe()}. */
  private static final int STRIPES =
      Math.min(
          8,
          Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1));

  private static final AtomicInteger THREADS = new AtomicInteger();

  private static final ThreadLocal<Integer> STRIPE =
      ThreadLocal.withInitial(() -> THREADS.getAndIncrement() & (STRIPES - 1));

  /** Micrometer's Prometheus step: each max slot covers one minute, three are read. */
  private static final long MAX_SLOT_MILLIS = TimeUnit.MINUTES.toMillis(1);

  private static final int MAX_SLOTS = 3;

  /**
   * Where a stripe holds its sum, its first max slot and its first bucket (see {@link #stride}).
   */
  private static final int SUM = 0;

  private static final int MAX = 1;
  private static final int FIRST = MAX + MAX_SLOTS;

  /**
   * A max slot packs its minute (low 20 bits of the minute number) and the value in nanoseconds.
   */
  private static final int VALUE_BITS = 44;

  private static final long VALUE_MASK = (1L << VALUE_BITS) - 1;

  private static final long MINUTE_MASK = (1L << (64 - VALUE_BITS)) - 1;

  private final long[] bounds;
  private final double[] boundsSeconds;

  /**
   * Longs per stripe: sum, max slots, buckets (+Inf last), padding to keep stripes off one line.
   * The sum and the max slots are neighbours, mostly on one cache line (an array is aligned to 8
   * bytes, not to a line): a record adds to the sum, then writes a max slot, mostly on the line it
   * already holds.
   */
  private final int stride;

  private final SpanContext spanContext;
  private final ExemplarSamplerConfig exemplarConfig;
  private final List<Family> families = new ArrayList<>();

  /**
   * @param buckets the upper bounds of the buckets, increasing
   * @param spanContext where exemplars come from, {@code null} for none
   * @param exemplars how often exemplars are taken (the registry's properties)
   */
  public LatencyHistograms(
      Duration[] buckets, SpanContext spanContext, ExemplarsProperties exemplars) {
    bounds = Arrays.stream(buckets).mapToLong(Duration::toNanos).toArray();
    boundsSeconds = new double[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) {
      boundsSeconds[i] = TimeUtils.nanosToUnit(bounds[i], TimeUnit.SECONDS);
    }
    boundsSeconds[bounds.length] = Double.POSITIVE_INFINITY;
    stride = (FIRST + bounds.length + 1 + 7) / 8 * 8 + 8;
    this.spanContext = spanContext;
    this.exemplarConfig =
        spanContext == null ? null : new ExemplarSamplerConfig(exemplars, boundsSeconds.clone());
  }

  /** A histogram name with its label names; call before {@link #register}. */
  public Family family(String name, String help, String... labelNames) {
    Family f = new Family(name, help, labelNames);
    families.add(f);
    return f;
  }

  public void register(PrometheusRegistry registry) {
    registry.register(this);
  }

  @Override
  public List<String> getPrometheusNames() {
    List<String> names = new ArrayList<>();
    for (Family f : families) {
      names.add(f.name);
      names.add(f.maxName);
    }
    return names;
  }

  @Override
  public MetricSnapshots collect() {
    return collect(name -> true);
  }

  /**
   * Only the named families' snapshots: a scrape taken one family at a time (see {@code
   * PorticoMetrics.scrape}) holds one family's 10,000 series at once, not all four families'.
   */
  @Override
  public MetricSnapshots collect(Predicate<String> includedNames) {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    long minute = System.currentTimeMillis() / MAX_SLOT_MILLIS;
    for (Family f : families) {
      boolean histogram = includedNames.test(f.name);
      boolean maximum = includedNames.test(f.maxName);
      if (f.series.isEmpty() || !(histogram || maximum)) {
        continue; // as before: no series, no family, until the first record
      }
      List<HistogramDataPointSnapshot> points = histogram ? new ArrayList<>(f.series.size()) : null;
      List<GaugeDataPointSnapshot> maxima = maximum ? new ArrayList<>(f.series.size()) : null;
      for (Series s : f.series.values()) {
        long[] counts = histogram ? new long[bounds.length + 1] : null;
        long sumNanos = 0;
        long maxNanos = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
          int base = stripe * stride;
          if (histogram) {
            for (int b = 0; b < counts.length; b++) {
              counts[b] += (long) CELLS.getVolatile(s.cells, base + FIRST + b);
            }
          }
          sumNanos += (long) CELLS.getVolatile(s.cells, base + SUM);
          for (int m = 0; m < MAX_SLOTS; m++) {
            long slot = (long) CELLS.getVolatile(s.cells, base + MAX + m);
            if (((minute - (slot >>> VALUE_BITS)) & MINUTE_MASK) < MAX_SLOTS) {
              maxNanos = Math.max(maxNanos, slot & VALUE_MASK);
            }
          }
        }
        if (histogram) {
          Exemplars exemplars = s.exemplars == null ? Exemplars.EMPTY : s.exemplars.collect();
          points.add(
              new HistogramDataPointSnapshot(
                  ClassicHistogramBuckets.of(boundsSeconds, counts),
                  TimeUtils.nanosToUnit(sumNanos, TimeUnit.SECONDS),
                  s.labels,
                  exemplars,
                  s.createdMillis));
        }
        if (maximum) {
          maxima.add(
              new GaugeDataPointSnapshot(
                  TimeUtils.nanosToUnit(maxNanos, TimeUnit.SECONDS), s.labels, null));
        }
      }
      if (histogram) {
        out.metricSnapshot(new HistogramSnapshot(new MetricMetadata(f.name, f.help, null), points));
      }
      if (maximum) {
        out.metricSnapshot(new GaugeSnapshot(new MetricMetadata(f.maxName, f.help, null), maxima));
      }
    }
    return out.build();
  }

  /** This thread's stripe: threads take stripes in turn as they first record. */
  private static int stripe() {
    return STRIPE.get();
  }

  /** One histogram name: its series by label values. */
  public final class Family {
    private final String name;
    private final String maxName;
    private final String help;
    private final String[] labelNames;
    private final ConcurrentHashMap<List<String>, Series> series = new ConcurrentHashMap<>();

    private Family(String name, String help, String[] labelNames) {
      this.name = name;
      this.maxName = name + "_max";
      this.help = help;
      this.labelNames = labelNames.clone();
    }

    /**
     * The series of these label values (in the order of the family's label names), made at the
     * first call: it shows in scrapes from then on. Every call with equal values answers the same
     * series.
     */
    public Series series(String... labelValues) {
      List<String> key = List.of(labelValues);
      Series s = series.get(key);
      return s != null ? s : series.computeIfAbsent(key, k -> new Series(labelNames, labelValues));
    }
  }

  /** One label combination's histogram and max. Thread-safe, lock-free, allocation-free. */
  public final class Series {
    private final long[] cells = new long[STRIPES * stride];
    private final Labels labels;
    private final ExemplarSampler exemplars;
    private final long createdMillis = System.currentTimeMillis();

    private Series(String[] labelNames, String[] labelValues) {
      this.labels = Labels.of(labelNames, labelValues);
      this.exemplars =
          spanContext == null ? null : new ExemplarSampler(exemplarConfig, spanContext);
    }

    public void record(long nanos) {
      if (nanos < 0) {
        return; // as Micrometer's timers: a negative duration is not recorded
      }
      int base = stripe() * stride;
      int b = 0;
      while (b < bounds.length && nanos > bounds[b]) {
        b++;
      }
      CELLS.getAndAdd(cells, base + FIRST + b, 1L);
      CELLS.getAndAdd(cells, base + SUM, nanos);
      long minute = System.currentTimeMillis() / MAX_SLOT_MILLIS;
      long stamp = minute & MINUTE_MASK;
      int at = base + MAX + (int) (minute % MAX_SLOTS);
      long value = Math.min(nanos, VALUE_MASK);
      long was = (long) CELLS.getVolatile(cells, at);
      // The slot's maximum if it is this minute's (else 0), and the larger of it and this value,
      // without a branch: a new minute or a new maximum comes rarely once a minute is under way,
      // and C2 compiled such branches as never taken, so the first one to come (the first minute
      // boundary under load) deoptimized the whole response path this is inlined into, which C2
      // then compiled again while the requests ran slower (issue 13).
      long other = (was >>> VALUE_BITS) ^ stamp;
      long sameMinute = ~((other | -other) >> 63);
      long kept = was & VALUE_MASK & sameMinute;
      long d = kept - value;
      long larger = kept - (d & (d >> 63));
      if (!CELLS.compareAndSet(cells, at, was, (stamp << VALUE_BITS) | larger)) {
        raceForMax(at, stamp, value);
      }
      if (exemplars != null) {
        exemplars.observe(TimeUtils.nanosToUnit(nanos, TimeUnit.SECONDS));
      }
    }

    /**
     * Another thread recording into the same stripe changed the max slot first: read again until
     * the slot holds this minute's maximum of at least {@code value}.
     */
    private void raceForMax(int at, long stamp, long value) {
      long packed = (stamp << VALUE_BITS) | value;
      long was;
      do {
        was = (long) CELLS.getVolatile(cells, at);
        if ((was >>> VALUE_BITS) == stamp && (was & VALUE_MASK) >= value) {
          return;
        }
      } while (!CELLS.compareAndSet(cells, at, was, packed));
    }
  }
}
