package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.pipeline.ExchangeObserver.Completion;
import dev.portico.gateway.routing.ObserverSlot;
import dev.portico.gateway.routing.Route;
import dev.portico.metrics.MetricsSettings;
import dev.portico.metrics.PorticoMetrics;
import dev.portico.metrics.RouteMeters;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics observer resolves a route's meters once, keeps them in the route's slot, and records
 * through them into exactly the series recording by id gives.
 */
class MetricsObserverTest {

  final PorticoMetrics metrics = PorticoMetrics.create(new MetricsSettings(false, null));
  final PorticoMetrics other = PorticoMetrics.create(new MetricsSettings(false, null));

  @AfterEach
  void close() {
    metrics.close();
    other.close();
  }

  static Route route(String apiId) {
    return new Route(apiId, null, null, 0, null, null, null, null, null, null, new ObserverSlot());
  }

  static Completion completion(String apiId, int status) {
    return new Completion(
        "r1",
        apiId,
        null,
        null,
        null,
        null,
        HttpMethod.GET,
        "/x",
        status,
        null,
        2_000_000,
        0,
        0,
        1);
  }

  static String count(String apiId, String statusClass) {
    return "portico_request_duration_seconds_count{api=\""
        + apiId
        + "\",backend=\"none\",method=\"GET\",reason=\"none\",status_class=\""
        + statusClass
        + "\"}";
  }

  @Test
  void aRoutesMetersAreResolvedOnceAndKeptWithTheRoute() {
    MetricsObserver observer = new MetricsObserver(metrics);
    Route route = route("orders");
    assertThat(route.observerSlot().get()).isNull();
    observer.started(route);
    Object kept = route.observerSlot().get();
    assertThat(kept).isInstanceOf(RouteMeters.class);
    assertThat(metrics.inFlight("orders")).isEqualTo(1);
    observer.completed(completion("orders", 200), route);
    observer.started(route);
    observer.completed(completion("orders", 503), route);
    assertThat(route.observerSlot().get()).isSameAs(kept);
    assertThat(metrics.inFlight("orders")).isZero();
    String text = metrics.scrape(null).body();
    assertThat(text)
        .contains(count("orders", "2xx") + " 1")
        .contains(count("orders", "5xx") + " 1");
  }

  @Test
  void startedByRouteAndCompletedByIdCountOnce() {
    MetricsObserver observer = new MetricsObserver(metrics);
    Route route = route("orders");
    observer.started(route);
    // a rejection completes by id (Rejections, PolicyStage)
    observer.completed(completion("orders", 429));
    assertThat(metrics.inFlight("orders")).isZero();
    assertThat(metrics.scrape(null).body()).contains(count("orders", "4xx") + " 1");
  }

  @Test
  void aRouteSeenByTwoRegistriesRecordsIntoEach() {
    MetricsObserver first = new MetricsObserver(metrics);
    MetricsObserver second = new MetricsObserver(other);
    Route route = route("orders");
    first.started(route);
    second.started(route);
    first.completed(completion("orders", 200), route);
    second.completed(completion("orders", 200), route);
    assertThat(metrics.inFlight("orders")).isZero();
    assertThat(other.inFlight("orders")).isZero();
    assertThat(metrics.scrape(null).body()).contains(count("orders", "2xx") + " 1");
    assertThat(other.scrape(null).body()).contains(count("orders", "2xx") + " 1");
  }

  @Test
  void theCompositeHandsTheRouteOnAndOthersStillSeeIds() {
    List<String> seen = new ArrayList<>();
    ExchangeObserver byId =
        new ExchangeObserver() {
          @Override
          public void started(String apiId) {
            seen.add("started " + apiId);
          }

          @Override
          public void completed(Completion c) {
            seen.add("completed " + c.apiId() + " " + c.status());
          }
        };
    ExchangeObserver composite = CompositeObserver.of(new MetricsObserver(metrics), byId);
    Route route = route("orders");
    composite.started(route);
    composite.completed(completion("orders", 200), route);
    assertThat(seen).containsExactly("started orders", "completed orders 200");
    assertThat(route.observerSlot().get()).isInstanceOf(RouteMeters.class);
    assertThat(metrics.scrape(null).body()).contains(count("orders", "2xx") + " 1");
  }

  @Test
  void anAttemptGoesThroughTheRoutesMetersAndOthersStillSeeIds() {
    List<String> seen = new ArrayList<>();
    ExchangeObserver byId =
        new ExchangeObserver() {
          @Override
          public void attempt(
              String backendId, String endpoint, long nanos, int status, String reason) {
            seen.add("attempt " + backendId + " " + endpoint + " " + status);
          }
        };
    ExchangeObserver composite = CompositeObserver.of(new MetricsObserver(metrics), byId);
    Route route = route("orders");
    composite.started(route);
    composite.attempt(route, "orders-be", "10.0.0.1:80", 1_000, 200, null);
    composite.attempt(null, "orders-be", "10.0.0.1:80", 1_000, 0, "Timeout");
    composite.completed(completion("orders", 200), route);
    assertThat(seen)
        .containsExactly("attempt orders-be 10.0.0.1:80 200", "attempt orders-be 10.0.0.1:80 0");
    assertThat(metrics.scrape(null).body())
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"orders-be\",reason=\"none\",status_class=\"2xx\"} 1")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"orders-be\",reason=\"Timeout\",status_class=\"none\"} 1");
  }
}
