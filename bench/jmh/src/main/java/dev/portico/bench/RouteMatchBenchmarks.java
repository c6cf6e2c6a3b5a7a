package dev.portico.bench;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.routing.ApiTable;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Route matching against tables of 10, 1,000 and 10,000 APIs: two-segment prefixes ({@code
 * /team-<n>/svc-<i>}), every fourth API with four operations, requests spread over random APIs
 * (1,024 precomputed paths, cycled), as bench/scale.sh loads the gateway.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RouteMatchBenchmarks {

  @Param({"10", "1000", "10000"})
  public int apis;

  private ApiTable table;
  private String[] paths;
  private int next;

  @Setup
  public void setUp() {
    JsonArray list = new JsonArray();
    for (int i = 0; i < apis; i++) {
      JsonObject api =
          new JsonObject().put("id", "api" + i).put("path", prefix(i)).put("backend", "b");
      if (i % 4 == 0) {
        api.put(
            "operations",
            new JsonArray()
                .add(new JsonObject().put("method", "GET").put("path", "/orders"))
                .add(new JsonObject().put("method", "GET").put("path", "/orders/{id}"))
                .add(new JsonObject().put("method", "GET").put("path", "/orders/{id}/items"))
                .add(new JsonObject().put("method", "POST").put("path", "/orders")));
      }
      list.add(api);
    }
    JsonObject raw =
        new JsonObject()
            .put(
                "backends",
                new JsonArray()
                    .add(new JsonObject().put("id", "b").put("url", "http://10.0.0.1:8080")))
            .put("apis", list);
    GatewayConfig config = ConfigLoader.fromJson("bench", raw, Map.of());
    table =
        RoutingState.compile(
                config, RegistrySnapshot.of(1, List.of()), new BackendStates(t -> {}, r -> {}))
            .apis();
    Random random = new Random(42);
    paths = new String[1024];
    for (int k = 0; k < paths.length; k++) {
      paths[k] = prefix(random.nextInt(apis)) + "/orders/" + random.nextInt(100_000) + "/items";
    }
    for (String p : paths) {
      if (table.match(HttpMethod.GET, p) == null) {
        throw new IllegalStateException("no route for " + p);
      }
    }
  }

  private static String prefix(int i) {
    return "/team-" + (i % 97) + "/svc-" + i;
  }

  @Benchmark
  public Route match() {
    String p = paths[next++ & 1023];
    return table.match(HttpMethod.GET, p);
  }
}
