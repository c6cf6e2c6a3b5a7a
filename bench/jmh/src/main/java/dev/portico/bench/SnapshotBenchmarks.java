package dev.portico.bench;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.state.RoutingStateHolder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A registry change at scale, end to end: 50,000 instances of 10,000 services (five each) in the
 * local registry, 10,000 backends and APIs routing to them; one instance's status flips, then the
 * watcher refreshes and the routing state is swapped. Measured: from the write to the new routing
 * state in force (what a request would see), through the public interfaces only.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class SnapshotBenchmarks {

  @Param({"50000"})
  public int instances;

  private static final int PER_SERVICE = 5;

  private Vertx vertx;
  private Registry registry;
  private RegistryWatcher watcher;
  private RoutingStateHolder holder;
  private final List<ServiceInstance> published = new ArrayList<>();
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofHours(1)));
    int services = instances / PER_SERVICE;
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      int s = i % services;
      specs.add(
          InstanceSpec.of(
              "svc-" + s,
              "http://10."
                  + (i >> 16 & 255)
                  + "."
                  + (i >> 8 & 255)
                  + "."
                  + (i & 255)
                  + ":"
                  + (8000 + s % 1000)));
    }
    // 512 writes in flight at a time
    for (int from = 0; from < specs.size(); from += 512) {
      List<Future<ServiceInstance>> batch = new ArrayList<>();
      for (InstanceSpec spec : specs.subList(from, Math.min(specs.size(), from + 512))) {
        batch.add(registry.publish(spec));
      }
      Future.all(batch).await();
      batch.forEach(f -> published.add(f.result()));
    }
    JsonArray backends = new JsonArray();
    JsonArray apis = new JsonArray();
    for (int s = 0; s < services; s++) {
      backends.add(new JsonObject().put("id", "b" + s).put("url", "svc-" + s));
      apis.add(
          new JsonObject().put("id", "api" + s).put("path", "/svc-" + s).put("backend", "b" + s));
    }
    GatewayConfig config =
        ConfigLoader.fromJson(
            "bench", new JsonObject().put("backends", backends).put("apis", apis), Map.of());
    watcher = new RegistryWatcher(vertx, registry);
    holder =
        new RoutingStateHolder(
            RoutingState.compile(
                config, watcher.start().await(), new BackendStates(t -> {}, r -> {})));
    watcher.onChange(holder::registryChanged);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    watcher.stop().await();
    registry.close();
    vertx.close().await();
  }

  /** One instance goes DOWN (or UP again): write, refresh, routing state swapped. */
  @Benchmark
  public int changeOneInstanceOf50k() {
    ServiceInstance i = published.get(next++ % published.size());
    boolean down = (next / published.size()) % 2 == 0;
    registry.setStatus(i.id(), down ? InstanceStatus.DOWN : InstanceStatus.UP).await();
    watcher.refresh().await();
    RoutingState state = holder.current();
    int up = state.endpoints(i.service()).length;
    if (up != (down ? PER_SERVICE - 1 : PER_SERVICE)) {
      throw new IllegalStateException(
          "routing state not updated: " + up + " endpoints of " + i.service());
    }
    return up;
  }
}
