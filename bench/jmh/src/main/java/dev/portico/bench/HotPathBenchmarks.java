package dev.portico.bench;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ProxyHeaders;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.metrics.MetricsSettings;
import dev.portico.metrics.PorticoMetrics;
import dev.portico.metrics.RouteMeters;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the gateway does per request apart from I/O, one unit at a time: recording the request in
 * its meters, matching the route, the breaker's permit and outcome, and the header hygiene of the
 * forwarded request. Average time per operation, one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotPathBenchmarks {

  private PorticoMetrics metrics;
  private RouteMeters ordersMeters;
  private RoutingState state;
  private CircuitBreaker breaker;
  private MultiMap clientHeaders;

  @Setup
  public void setUp() {
    metrics = PorticoMetrics.create(MetricsSettings.DEFAULT);
    metrics.declareApis(List.of("orders"));
    ordersMeters = metrics.routeMeters("orders", "b");

    // 50 APIs of 4 operations each: a mid-sized gateway's table
    JsonArray apis = new JsonArray();
    for (int i = 0; i < 50; i++) {
      apis.add(
          new JsonObject()
              .put("id", "api" + i)
              .put("path", "/api" + i)
              .put("backend", "b")
              .put(
                  "operations",
                  new JsonArray()
                      .add(new JsonObject().put("method", "GET").put("path", "/orders"))
                      .add(new JsonObject().put("method", "GET").put("path", "/orders/{id}"))
                      .add(new JsonObject().put("method", "GET").put("path", "/orders/{id}/items"))
                      .add(new JsonObject().put("method", "POST").put("path", "/orders"))));
    }
    JsonObject raw =
        new JsonObject()
            .put(
                "backends",
                new JsonArray()
                    .add(new JsonObject().put("id", "b").put("url", "http://10.0.0.1:8080")))
            .put("apis", apis);
    GatewayConfig config = ConfigLoader.fromJson("bench", raw, Map.of());
    state =
        RoutingState.compile(
            config, RegistrySnapshot.of(1, List.of()), new BackendStates(t -> {}, r -> {}));

    breaker =
        new CircuitBreaker(
            "b",
            "10.0.0.1:8080",
            new CircuitBreakerConfig(
                List.of(
                    new BreakerRuleConfig(
                        "errors",
                        5,
                        null,
                        Duration.ofSeconds(10),
                        List.of(new BreakerRuleConfig.StatusRange(500, 599)),
                        Set.of("BackendConnectionFailure", "Timeout"),
                        0,
                        Duration.ofSeconds(30),
                        false,
                        Set.of())),
                1,
                Duration.ofMinutes(5),
                null),
            t -> {});

    clientHeaders =
        MultiMap.caseInsensitiveMultiMap()
            .add("host", "api.example.com")
            .add("user-agent", "k6/0.50")
            .add("accept", "application/json")
            .add("accept-encoding", "gzip")
            .add("connection", "keep-alive")
            .add("keep-alive", "timeout=5")
            .add("authorization", "Bearer abc.def.ghi")
            .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .add("x-correlation-id", "42")
            .add("cookie", "session=1")
            .add("content-type", "application/json");
  }

  @TearDown
  public void tearDown() {
    metrics.close();
  }

  /** In-flight up and down, one upstream and one request histogram observation. */
  @Benchmark
  public void recordRequestInMeters() {
    metrics.requestStarted("orders");
    metrics.upstreamAttempt("b", 200, null, 1_234_567);
    metrics.requestCompleted("orders", "b", "GET", 200, null, 2_345_678);
  }

  /** The same through the route's meters, resolved once (as the metrics observer does). */
  @Benchmark
  public void recordRequestThroughRouteMeters() {
    ordersMeters.started();
    metrics.upstreamAttempt("b", 200, null, 1_234_567);
    ordersMeters.completed("GET", 200, null, 2_345_678);
  }

  /**
   * 10,000 APIs' meters (bench/scale.sh's count), every series registered in the set-up. A state of
   * its own, so the other benchmarks do not run beside its 20,000 timers.
   */
  @State(Scope.Benchmark)
  public static class ManyApis {
    static final int MANY = 10_000;
    PorticoMetrics metrics;
    String[] ids;
    String[] backends;
    RouteMeters[] meters;
    int cursor;

    @Setup
    public void setUp() {
      metrics = PorticoMetrics.create(MetricsSettings.DEFAULT);
      ids = new String[MANY];
      backends = new String[MANY];
      meters = new RouteMeters[MANY];
      for (int i = 0; i < MANY; i++) {
        ids[i] = "api-" + i;
        backends[i] = "backend-" + i;
      }
      metrics.declareApis(List.of(ids));
      for (int i = 0; i < MANY; i++) {
        meters[i] = metrics.routeMeters(ids[i], backends[i]);
        metrics.upstreamAttempt(backends[i], 200, null, 1);
        meters[i].started();
        meters[i].completed("GET", 200, null, 1);
      }
    }

    @TearDown
    public void tearDown() {
      metrics.close();
    }

    /** Each request another API's: a stride through all of them. */
    int next() {
      int i = cursor + 7919;
      i = i >= MANY ? i - MANY : i;
      cursor = i;
      return i;
    }
  }

  /** {@link #recordRequestInMeters} over 10,000 APIs: by id. */
  @Benchmark
  public void recordRequestInMetersAmong10kApis(ManyApis m) {
    int i = m.next();
    m.metrics.requestStarted(m.ids[i]);
    m.metrics.upstreamAttempt(m.backends[i], 200, null, 1_234_567);
    m.metrics.requestCompleted(m.ids[i], m.backends[i], "GET", 200, null, 2_345_678);
  }

  /** The same through each API's route meters. */
  @Benchmark
  public void recordRequestThroughRouteMetersAmong10kApis(ManyApis m) {
    int i = m.next();
    m.meters[i].started();
    m.metrics.upstreamAttempt(m.backends[i], 200, null, 1_234_567);
    m.meters[i].completed("GET", 200, null, 2_345_678);
  }

  @Benchmark
  public Route matchRouteAmong50Apis() {
    return state.apis().match(HttpMethod.GET, "/api37/orders/42/items");
  }

  @Benchmark
  public void breakerPermitAndSuccess() {
    long now = System.nanoTime();
    CircuitBreaker.Permit p = breaker.tryAcquire(now);
    breaker.onResult(p, now, 200, null, -1);
  }

  /** The copy and hop-by-hop removal of a typical browser/SDK request's headers. */
  @Benchmark
  public MultiMap copyHeadersAndDropHopByHop() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    out.addAll(clientHeaders);
    ProxyHeaders.dropHopByHop(out);
    out.remove("host");
    ProxyHeaders.append(out, ProxyHeaders.VIA, "1.1 portico-bench");
    return out;
  }

  /**
   * The same as the exchange makes it since issue 13: {@code setAll} into the new (empty) request
   * headers copies entry by entry, without {@code addAll}'s intermediate list of entries.
   */
  @Benchmark
  public MultiMap copyHeadersWithSetAllAndDropHopByHop() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    out.setAll(clientHeaders);
    ProxyHeaders.dropHopByHop(out);
    out.remove("host");
    ProxyHeaders.append(out, ProxyHeaders.VIA, "1.1 portico-bench");
    return out;
  }
}
