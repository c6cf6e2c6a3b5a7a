package dev.portico.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meter names, labels and values of the scrape, straight from the registry (no gateway). */
class PorticoMetricsTest {

  final PorticoMetrics metrics = PorticoMetrics.create(new MetricsSettings(false, null));

  @AfterEach
  void close() {
    metrics.close();
  }

  String scrape() {
    return metrics.scrape(null).body();
  }

  @Test
  void requestHistogramHasTheContractNamesLabelsAndDefaultBuckets() {
    metrics.declareApis(List.of("orders"));
    metrics.requestStarted("orders");
    assertThat(scrape()).contains("portico_requests_in_flight{api=\"orders\"} 1");
    metrics.requestCompleted(
        "orders", "orders-be", "GET", 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    String text = scrape();
    assertThat(text)
        .contains("# TYPE portico_request_duration_seconds histogram")
        .contains("portico_requests_in_flight{api=\"orders\"} 0")
        .contains(
            "portico_request_duration_seconds_bucket{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\",le=\"0.0025\"} 0")
        .contains(
            "portico_request_duration_seconds_bucket{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\",le=\"0.005\"} 1")
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 1");
    for (String le :
        List.of(
            "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5",
            "5.0", "10.0", "30.0", "+Inf")) {
      assertThat(text).contains("status_class=\"2xx\",le=\"" + le + "\"}");
    }
  }

  @Test
  void inFlightGaugesAreOneFamilyWithASeriesPerApi() {
    metrics.declareApis(List.of("orders", "billing"));
    metrics.requestStarted("billing");
    metrics.requestStarted("billing");
    String text = scrape();
    assertThat(text)
        .containsOnlyOnce(
            "# HELP portico_requests_in_flight Requests accepted and not yet completed\n")
        .containsOnlyOnce("# TYPE portico_requests_in_flight gauge\n")
        .contains("portico_requests_in_flight{api=\"orders\"} 0.0\n")
        .contains("portico_requests_in_flight{api=\"billing\"} 2.0\n");
    // an API first seen by a request (not declared) has its series from then on
    metrics.requestStarted("late");
    metrics.requestCompleted("billing", "b", "GET", 200, null, 1_000);
    assertThat(scrape())
        .contains("portico_requests_in_flight{api=\"late\"} 1.0\n")
        .contains("portico_requests_in_flight{api=\"billing\"} 1.0\n");
  }

  @Test
  void routeMetersRecordIntoTheSameSeriesAsRecordingById() {
    metrics.declareApis(List.of("orders"));
    RouteMeters route = metrics.routeMeters("orders", "orders-be");
    assertThat(route.of(metrics)).isTrue();
    // nothing registered by resolving them: series still appear with their first request
    assertThat(scrape()).doesNotContain("portico_request_duration_seconds");
    route.started();
    metrics.requestStarted("orders");
    assertThat(scrape()).contains("portico_requests_in_flight{api=\"orders\"} 2");
    route.completed("GET", 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    metrics.requestCompleted(
        "orders", "orders-be", "GET", 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    String text = scrape();
    assertThat(text)
        .contains("portico_requests_in_flight{api=\"orders\"} 0")
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\",method=\"GET\",reason=\"none\",status_class=\"2xx\"} 2");
    // a route without a backend (rejected before one was chosen) and folded labels, as by id
    RouteMeters none = metrics.routeMeters("orders", null);
    none.started();
    none.completed("BREW", 0, "SomethingNew", 1_000);
    assertThat(scrape())
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"none\",method=\"OTHER\",reason=\"other\",status_class=\"none\"} 1");
    try (PorticoMetrics other = PorticoMetrics.create(new MetricsSettings(false, null))) {
      assertThat(route.of(other)).isFalse();
    }
  }

  @Test
  void routeMetersRecordAttemptsIntoTheSameSeriesAsRecordingById() {
    RouteMeters route = metrics.routeMeters("orders", "orders-be");
    // resolving the route's backend meters registers nothing: attempt series appear at first use
    assertThat(scrape()).doesNotContain("portico_upstream_duration_seconds");
    // the route's backend (an equal id, not only the same instance), by the handle and by id
    route.attempt("orders-be", 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    route.attempt(new String("orders-be"), 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    metrics.upstreamAttempt("orders-be", 200, null, TimeUnit.MILLISECONDS.toNanos(3));
    route.attempt("orders-be", 0, "Timeout", 1_000);
    // another backend (a pool member) goes by its own id
    route.attempt("member-b", 503, null, 1_000);
    // a route without a backend still records by the id it is given
    metrics.routeMeters("orders", null).attempt("member-c", 200, null, 1_000);
    String text = scrape();
    assertThat(text)
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"orders-be\",reason=\"none\",status_class=\"2xx\"} 3")
        .contains(
            "portico_upstream_duration_seconds_bucket{backend=\"orders-be\",reason=\"none\",status_class=\"2xx\",le=\"0.005\"} 3")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"orders-be\",reason=\"Timeout\",status_class=\"none\"} 1")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"member-b\",reason=\"none\",status_class=\"5xx\"} 1")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"member-c\",reason=\"none\",status_class=\"2xx\"} 1")
        .doesNotContain("portico_upstream_duration_seconds_count{backend=\"none\"");
  }

  @Test
  void everyLabelCombinationOfOneRouteKeepsItsOwnSeries() {
    // the timers sit in rows made at first use (a method and status class, by reason): combinations
    // sharing a row, and those in rows of their own, each count only their own requests
    RouteMeters route = metrics.routeMeters("orders", "orders-be");
    String[] methods = {"GET", "POST", "BREW"};
    int[] statuses = {200, 503, 0};
    String[] reasons = {null, "Timeout", "BackendUnavailable"};
    int n = 0;
    for (String m : methods) {
      for (int st : statuses) {
        for (String r : reasons) {
          n++;
          for (int i = 0; i < n; i++) {
            route.started();
            if (i % 2 == 0) {
              route.completed(m, st, r, 1_000);
            } else {
              metrics.requestStarted("orders");
              metrics.requestCompleted("orders", "orders-be", m, st, r, 1_000);
              route.completed(m, st, r, 0);
            }
          }
          metrics.upstreamAttempt("orders-be", st, r, 1_000);
        }
      }
    }
    String text = scrape();
    n = 0;
    for (String m : methods) {
      for (int st : statuses) {
        for (String r : reasons) {
          n++;
          long expected = n + n / 2;
          String labels =
              "method=\""
                  + (m.equals("BREW") ? "OTHER" : m)
                  + "\",reason=\""
                  + (r == null ? "none" : r)
                  + "\",status_class=\""
                  + (st == 0 ? "none" : st / 100 + "xx")
                  + "\"";
          assertThat(text)
              .contains(
                  "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\","
                      + labels
                      + "} "
                      + expected
                      + "\n");
        }
      }
    }
    for (int st : statuses) {
      for (String r : reasons) {
        assertThat(text)
            .contains(
                "portico_upstream_duration_seconds_count{backend=\"orders-be\",reason=\""
                    + (r == null ? "none" : r)
                    + "\",status_class=\""
                    + (st == 0 ? "none" : st / 100 + "xx")
                    + "\"} 3\n");
      }
    }
    assertThat(scrape()).contains("portico_requests_in_flight{api=\"orders\"} 0");
  }

  @Test
  void outcomesAlternatingOnOneRouteEachCountInTheirOwnSeries() {
    // a route keeps the series it used last: requests that end one way, then another, then the
    // first again must each land in their own series, however often the outcome switches
    RouteMeters route = metrics.routeMeters("orders", "orders-be");
    for (int i = 0; i < 1_000; i++) {
      route.started();
      switch (i % 3) {
        case 0 -> route.completed("GET", 200, null, 1_000);
        case 1 -> route.completed("GET", 503, "Timeout", 1_000);
        default -> route.completed("POST", 200, null, 1_000);
      }
    }
    assertThat(scrape())
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\","
                + "method=\"GET\",reason=\"none\",status_class=\"2xx\"} 334\n")
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\","
                + "method=\"GET\",reason=\"Timeout\",status_class=\"5xx\"} 333\n")
        .contains(
            "portico_request_duration_seconds_count{api=\"orders\",backend=\"orders-be\","
                + "method=\"POST\",reason=\"none\",status_class=\"2xx\"} 333\n");
  }

  @Test
  void aScrapeWrittenToAStreamIsTheScrape() throws Exception {
    metrics.declareApis(List.of("orders"));
    metrics.requestCompleted("orders", "orders-be", "GET", 200, null, 1_000);
    metrics.upstreamAttempt("orders-be", 200, null, 1_000);
    for (String accept : new String[] {null, "application/openmetrics-text; version=1.0.0"}) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      String type = metrics.scrape(accept, out);
      Exposition whole = metrics.scrape(accept);
      assertThat(type).isEqualTo(whole.contentType());
      // taken family by family: the same lines, the families in another order
      assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().sorted().toList())
          .isEqualTo(whole.body().lines().sorted().toList());
    }
  }

  @Test
  void labelValuesAreFoldedOntoClosedSets() {
    metrics.requestStarted("unmatched");
    metrics.requestCompleted("unmatched", null, "BREW", 0, "SomethingNew", 1_000);
    metrics.upstreamAttempt("b", 0, "Timeout", 1_000);
    metrics.upstreamAttempt("b", 503, null, 1_000);
    metrics.retried("a", "b", "status:503");
    metrics.retried("a", "b", "status:9999");
    metrics.retried("a", null, "BackendConnectionFailure");
    String text = scrape();
    assertThat(text)
        .contains(
            "portico_request_duration_seconds_count{api=\"unmatched\",backend=\"none\",method=\"OTHER\",reason=\"other\",status_class=\"none\"} 1")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"b\",reason=\"Timeout\",status_class=\"none\"} 1")
        .contains(
            "portico_upstream_duration_seconds_count{backend=\"b\",reason=\"none\",status_class=\"5xx\"} 1")
        .contains("portico_retries_total{api=\"a\",backend=\"b\",reason=\"status:503\"} 1")
        .contains("portico_retries_total{api=\"a\",backend=\"b\",reason=\"other\"} 1")
        .contains(
            "portico_retries_total{api=\"a\",backend=\"none\",reason=\"BackendConnectionFailure\"} 1");
  }

  @Test
  void breakerStateIsOneForTheCurrentStateAndTransitionsAreCounted() {
    metrics.breakerTransition("orders", "10.0.0.4:8081", BreakerState.OPEN);
    metrics.breakerTransition("orders", "10.0.0.4:8081", BreakerState.HALF_OPEN);
    String text = scrape();
    assertThat(text)
        .contains(
            "portico_circuit_breaker_state{backend=\"orders\",endpoint=\"10.0.0.4:8081\",state=\"half_open\"} 1")
        .contains(
            "portico_circuit_breaker_state{backend=\"orders\",endpoint=\"10.0.0.4:8081\",state=\"open\"} 0")
        .contains(
            "portico_circuit_breaker_state{backend=\"orders\",endpoint=\"10.0.0.4:8081\",state=\"closed\"} 0")
        .contains(
            "portico_circuit_breaker_transitions_total{backend=\"orders\",endpoint=\"10.0.0.4:8081\",to=\"open\"} 1")
        .contains(
            "portico_circuit_breaker_transitions_total{backend=\"orders\",endpoint=\"10.0.0.4:8081\",to=\"half_open\"} 1");
  }

  @Test
  void registryServicesThatLeaveGoToZeroWhenRoutedToAndAwayOtherwise() {
    metrics.registryInstances(
        Map.of(
            "orders",
            Map.of(
                "static",
                new ServiceInstanceCounts(2, 1, 0, 0),
                "consul-orders",
                new ServiceInstanceCounts(3, 0, 0, 0)),
            "stray",
            Map.of("static", new ServiceInstanceCounts(1, 0, 0, 0))),
        Set.of("orders", "payments"));
    assertThat(scrape())
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"up\"} 2")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"down\"} 1")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"out_of_service\"} 0")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"unknown\"} 0")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"consul-orders\",status=\"up\"} 3")
        .contains("portico_registry_instances{service=\"stray\",source=\"static\",status=\"up\"} 1")
        // routed to, never seen: one series at 0 so that "no UP instance" alerts see it
        .contains(
            "portico_registry_instances{service=\"payments\",source=\"none\",status=\"up\"} 0");
    // a source leaves a service that keeps others: its series go
    metrics.registryInstances(
        Map.of(
            "orders",
            Map.of("static", new ServiceInstanceCounts(2, 1, 0, 0)),
            "payments",
            Map.of("k8s-payments", new ServiceInstanceCounts(1, 0, 0, 0))),
        Set.of("orders", "payments"));
    assertThat(scrape())
        .doesNotContain("source=\"consul-orders\"")
        .doesNotContain("source=\"none\"")
        .contains(
            "portico_registry_instances{service=\"payments\",source=\"k8s-payments\",status=\"up\"} 1");
    // every record gone: routed services stay at 0 under their last sources, others go
    metrics.registryInstances(Map.of(), Set.of("orders"));
    assertThat(scrape())
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"up\"} 0")
        .doesNotContain("service=\"stray\"")
        .doesNotContain("service=\"payments\"");
  }

  @Test
  void registrySeriesRenderAsOneGaugeFamilyInBothFormats() {
    // no service: no family at all (as with no gauge registered)
    metrics.registryInstances(Map.of(), Set.of());
    assertThat(scrape()).doesNotContain("portico_registry_instances");
    metrics.registryInstances(
        Map.of(
            "orders",
            Map.of("static", new ServiceInstanceCounts(2, 1, 0, 3)),
            "q\"uote",
            Map.of("static", new ServiceInstanceCounts(1, 0, 1, 0))),
        Set.of());
    String text = scrape();
    assertThat(text)
        .containsOnlyOnce(
            "# HELP portico_registry_instances Registry records per service, source and status\n"
                + "# TYPE portico_registry_instances gauge\n")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"up\"} 2.0\n")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"unknown\"} 3.0\n")
        .contains(
            "portico_registry_instances{service=\"q\\\"uote\",source=\"static\",status=\"out_of_service\"} 1.0\n");
    assertThat(text.lines().filter(l -> l.startsWith("portico_registry_instances{")).count())
        .isEqualTo(8);
    String om = metrics.scrape("application/openmetrics-text; version=1.0.0").body();
    assertThat(om)
        .containsOnlyOnce("# TYPE portico_registry_instances gauge\n")
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"static\",status=\"down\"} 1.0\n");
  }

  @Test
  void registryChangesTouchOnlyTheServicesThatChanged() {
    metrics.registryInstances(
        Map.of(
            "orders", Map.of("static", new ServiceInstanceCounts(2, 0, 0, 0)),
            "stray", Map.of("static", new ServiceInstanceCounts(1, 0, 0, 0))),
        Set.of("orders", "payments"));
    metrics.registryInstancesChanged(
        Map.of(
            "orders",
            Map.of("consul", new ServiceInstanceCounts(0, 4, 0, 0)),
            "stray",
            Map.of(),
            "fresh",
            Map.of("static", new ServiceInstanceCounts(5, 0, 0, 0))),
        Set.of("orders", "payments"));
    String text = scrape();
    assertThat(text)
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"consul\",status=\"down\"} 4")
        .doesNotContain("source=\"static\",status=\"up\"} 2")
        .doesNotContain("service=\"stray\"")
        .contains("portico_registry_instances{service=\"fresh\",source=\"static\",status=\"up\"} 5")
        // untouched by the change: still at 0 under source none
        .contains(
            "portico_registry_instances{service=\"payments\",source=\"none\",status=\"up\"} 0");
    // a routed service's records all gone: its last source stays, at 0
    metrics.registryInstancesChanged(Map.of("orders", Map.of()), Set.of("orders", "payments"));
    assertThat(scrape())
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"consul\",status=\"down\"} 0")
        .doesNotContain("service=\"orders\",source=\"none\"");
  }

  @Test
  void fabricResolutionsByServiceAndResultWithACapOnServices() {
    metrics.recordFabricResolution("fabric:/App/Svc", FabricResolution.OK, 200_000);
    metrics.recordFabricResolution("fabric:/App/Svc", FabricResolution.NO_REPLICA, 2_000_000);
    for (int i = 0; i < 600; i++) {
      metrics.recordFabricResolution("fabric:/App/S" + i, FabricResolution.NOT_FOUND, 1_000);
    }
    String text = scrape();
    assertThat(text)
        .contains("portico_sf_resolutions_total{result=\"ok\",service=\"fabric:/App/Svc\"} 1")
        .contains(
            "portico_sf_resolutions_total{result=\"no_replica\",service=\"fabric:/App/Svc\"} 1")
        .contains("portico_sf_resolution_duration_seconds_count{result=\"ok\"} 1")
        .contains("portico_sf_resolution_duration_seconds_count{result=\"not_found\"} 600")
        .contains("portico_sf_resolutions_total{result=\"not_found\",service=\"other\"}");
    assertThat(text.lines().filter(l -> l.startsWith("portico_sf_resolutions_total{")).count())
        .isLessThanOrEqualTo(502);
  }

  @Test
  void openMetricsWhenAskedFor() {
    metrics.retried("a", "b", "Timeout");
    Exposition om =
        metrics.scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
    assertThat(om.contentType()).startsWith("application/openmetrics-text");
    assertThat(om.body()).endsWith("# EOF\n");
    assertThat(metrics.scrape("text/plain").contentType())
        .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void customBucketsAndTheirValidation() {
    try (PorticoMetrics m = PorticoMetrics.create(new MetricsSettings(false, List.of(0.05, 0.2)))) {
      m.requestStarted("a");
      m.requestCompleted("a", "b", "GET", 200, null, 1_000);
      assertThat(
              m.scrape(null)
                  .body()
                  .lines()
                  .filter(l -> l.startsWith("portico_request_duration_seconds_bucket")))
          .hasSize(3)
          .anyMatch(l -> l.contains("le=\"0.05\""))
          .anyMatch(l -> l.contains("le=\"0.2\""))
          .anyMatch(l -> l.contains("le=\"+Inf\""));
    }
    assertThatThrownBy(() -> new MetricsSettings(true, List.of(0.2, 0.1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jvmMetricsWhenAsked() {
    try (PorticoMetrics m = PorticoMetrics.create(MetricsSettings.DEFAULT)) {
      assertThat(m.scrape(null).body())
          .contains("jvm_memory_used_bytes")
          .contains("jvm_threads_live_threads")
          .contains("process_uptime_seconds")
          .contains("jvm_classes_loaded_classes");
    }
  }

  @Test
  void healthGaugesStillReadTheirSuppliersAfterAGarbageCollection() {
    // the suppliers are capturing lambdas only the gauges keep, as the gateway's are
    AtomicBoolean ready = new AtomicBoolean(true);
    AtomicBoolean degraded = new AtomicBoolean(false);
    AtomicBoolean draining = new AtomicBoolean(false);
    metrics.bindReadiness(() -> ready.get(), Map.of("registry", () -> degraded.get()));
    metrics.bindDraining(() -> draining.get());
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    for (int i = 0; i < 50 && sentinel.get() != null; i++) {
      System.gc();
    }
    assertThat(sentinel.get()).as("a collection that clears weak references ran").isNull();
    assertThat(scrape())
        .contains("portico_ready 1.0")
        .contains("portico_draining 0.0")
        .contains("portico_readiness_degraded{check=\"registry\"} 0.0");
  }

  /** The streamed scrape, as a scraper receives it. */
  String streamed(String accept) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    metrics.scrape(accept, out);
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void theStreamedScrapeTakenFamilyByFamilyHasEveryLineOfTheWholeOne() throws Exception {
    metrics.declareApis(List.of("orders", "billing"));
    metrics.requestStarted("orders");
    metrics.requestStarted("orders");
    metrics.requestStarted("billing");
    metrics.requestCompleted("orders", "orders-be", "GET", 200, null, 3_000_000);
    metrics.requestCompleted("billing", "billing-be", "POST", 503, null, 40_000_000);
    metrics.upstreamAttempt("orders-be", 200, null, 2_000_000);
    metrics.retried("billing", "billing-be", "BackendConnectionFailure");
    metrics.breakerTransition("orders-be", "10.0.0.1:8080", BreakerState.OPEN);
    metrics.registryInstances(
        Map.of("orders", Map.of("static", new ServiceInstanceCounts(2, 1, 0, 0))),
        Set.of("orders"));
    metrics.drainAbandoned(1);
    for (String accept : new String[] {null, "application/openmetrics-text; version=1.0.0"}) {
      String whole = metrics.scrape(accept).body();
      String parts = streamed(accept);
      // the same lines (the families come in another order, which neither format fixes)
      assertThat(parts.lines().sorted().toList())
          .as(accept == null ? "text format" : "OpenMetrics")
          .isEqualTo(whole.lines().sorted().toList());
      assertThat(parts)
          .contains("portico_request_duration_seconds_count{api=\"billing\"")
          .contains("portico_upstream_duration_seconds_max{")
          .contains("portico_requests_in_flight{api=\"orders\"} 1")
          .contains("portico_registry_instances{");
    }
    // OpenMetrics ends with its marker, once
    String open = streamed("application/openmetrics-text");
    assertThat(open).endsWith("# EOF\n");
    assertThat(open.split("# EOF", -1)).hasSize(2);
    assertThat(streamed(null)).doesNotContain("# EOF");
  }

  @Test
  void aStreamedScrapeBeforeAnyRequestHasNoEmptyFamilies() throws Exception {
    String open = streamed("application/openmetrics-text");
    assertThat(open.lines().sorted().toList())
        .isEqualTo(metrics.scrape("application/openmetrics-text").body().lines().sorted().toList());
    assertThat(open).endsWith("# EOF\n").doesNotContain("portico_request_duration_seconds ");
  }
}
