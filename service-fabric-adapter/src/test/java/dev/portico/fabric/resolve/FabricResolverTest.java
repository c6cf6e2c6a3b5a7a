package dev.portico.fabric.resolve;

import static dev.portico.fabric.resolve.Fixtures.fixed;
import static dev.portico.fabric.resolve.Fixtures.guid;
import static dev.portico.fabric.resolve.Fixtures.replica;
import static dev.portico.fabric.resolve.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionLookup;
import dev.portico.fabric.PartitionScheme;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import dev.portico.fabric.rest.FabricError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The resolver over a real registry and watcher (local backend). */
@ExtendWith(VertxExtension.class)
class FabricResolverTest {

  static final FabricName ORDERS =
      FabricName.parse("fabric:/Shop/Orders"); // stateful, Int64Range 0..99 in 4
  static final FabricName CATALOG =
      FabricName.parse("fabric:/Shop/Catalog"); // stateful, Named east/west
  static final FabricName WEB = FabricName.parse("fabric:/Shop/Web"); // stateless, Singleton

  private Registry registry;
  private RegistryWatcher watcher;
  private FabricResolver resolver;
  private final AtomicInteger refreshes = new AtomicInteger();
  private final Map<String, String> recordIds =
      new HashMap<>(); // "<service>/<partition>/<replica>" -> registry id
  private final Map<String, FabricReplicaMetadata> published = new HashMap<>();
  private List<PartitionInfo> ordersPartitions;
  private List<PartitionInfo> catalogPartitions;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * {@code rpc} first (the .NET client's default), {@code Admin} smallest http name (the proxy's
   * default).
   */
  static String ordersAddress(String host) {
    return "{\"Endpoints\":{\"rpc\":\"net.tcp:\\/\\/"
        + host
        + ":7000\",\"api\":\"http:\\/\\/"
        + host
        + ":8080\\/orders\\/\",\"Admin\":\"https:\\/\\/"
        + host
        + ":9443\\/admin\\/\"}}";
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    registry = Registry.create(vertx, RegistryOptions.local());
    watcher = new RegistryWatcher(vertx, registry);
    await(watcher.start());

    ordersPartitions =
        new PartitionScheme.UniformInt64Range(0, 99, 4)
            .toPartitions(List.of(guid(100), guid(101), guid(102), guid(103)));
    for (int p = 0; p < 4; p++) {
      for (int r = 0; r < 3; r++) {
        ReplicaRole role = r == 0 ? ReplicaRole.STATEFUL_PRIMARY : ReplicaRole.STATEFUL_SECONDARY;
        publish(
            ORDERS,
            p,
            r,
            replica(
                ORDERS.toString(),
                ServiceKind.STATEFUL,
                ordersPartitions.get(p),
                role,
                "r" + r,
                ordersAddress("10.0." + p + "." + (r + 1)),
                1));
      }
    }
    catalogPartitions =
        new PartitionScheme.Named(List.of("east", "west"))
            .toPartitions(List.of(guid(200), guid(201)));
    for (int p = 0; p < 2; p++) {
      for (int r = 0; r < 2; r++) {
        ReplicaRole role = r == 0 ? ReplicaRole.STATEFUL_PRIMARY : ReplicaRole.STATEFUL_SECONDARY;
        publish(
            CATALOG,
            p,
            r,
            replica(
                CATALOG.toString(),
                ServiceKind.STATEFUL,
                catalogPartitions.get(p),
                role,
                "c" + r,
                Fixtures.endpoints("http://10.1." + p + "." + (r + 1) + ":8081/"),
                1));
      }
    }
    PartitionInfo web = new PartitionInfo.Singleton(guid(300));
    publish(
        WEB,
        0,
        0,
        replica(
            WEB.toString(),
            ServiceKind.STATELESS,
            web,
            ReplicaRole.STATELESS,
            "i0",
            "http://10.2.0.1:80/web/",
            1)); // a raw address
    publish(
        WEB,
        0,
        1,
        replica(
            WEB.toString(),
            ServiceKind.STATELESS,
            web,
            ReplicaRole.STATELESS,
            "i1",
            Fixtures.endpoints("http://10.2.0.2:80/web"),
            1));
    publish(
        WEB,
        0,
        2,
        replica(
            WEB.toString(),
            ServiceKind.STATELESS,
            web,
            ReplicaRole.STATELESS,
            "i2",
            "{\"Endpoints\":{\"\":\"net.tcp:\\/\\/10.2.0.3:81\"}}",
            1)); // no http listener

    resolver =
        new FabricResolver(
            () -> {
              refreshes.incrementAndGet();
              return watcher.refresh();
            });
    watcher.onChange(resolver::update);
    resolver.update(await(watcher.refresh()));
    refreshes.set(0);
  }

  @AfterEach
  void tearDown() {
    await(watcher.stop());
    registry.close();
  }

  private void publish(FabricName service, int partition, int replica, FabricReplicaMetadata m) {
    ServiceInstance i = await(registry.publish(spec(m)));
    recordIds.put(service.lastSegment() + "/" + partition + "/" + replica, i.id());
    published.put(i.id(), m);
  }

  private ResolvedPartition resolved(FabricName service, PartitionKey key) {
    Resolution r = resolver.resolve(service, key);
    assertThat(r).as("%s %s", service, key).isInstanceOf(ResolvedPartition.class);
    return (ResolvedPartition) r;
  }

  private FabricTarget target(
      ResolvedPartition p, ReplicaSelector s, String listener, ListenerSelection mode, int pick) {
    TargetResolution t =
        FabricResolver.target(p, s, Optional.ofNullable(listener), mode, fixed(pick, 0));
    assertThat(t).as("%s %s %s", s, listener, mode).isInstanceOf(FabricTarget.class);
    return (FabricTarget) t;
  }

  @Test
  void keysRouteToTheOwningPartition() {
    long[][] cases = {{0, 0}, {24, 0}, {25, 1}, {49, 1}, {50, 2}, {74, 2}, {75, 3}, {99, 3}};
    for (long[] c : cases) {
      ResolvedPartition p = resolved(ORDERS, PartitionKey.int64(c[0]));
      assertThat(p.partition().id()).as("key %d", c[0]).isEqualTo(guid(100 + (int) c[1]));
      assertThat(p.replicas()).hasSize(3);
      assertThat(p.replicas().get(0).role()).isEqualTo(ReplicaRole.STATEFUL_PRIMARY);
      assertThat(p.version().generation()).isEqualTo(1);
    }
    assertThat(resolved(CATALOG, PartitionKey.named("west")).partition())
        .isEqualTo(catalogPartitions.get(1));
    assertThat(resolved(WEB, PartitionKey.none()).replicas()).hasSize(3);
    // the same partition instance every time: the index is the cache
    assertThat(resolver.resolve(ORDERS, PartitionKey.int64(3)))
        .isSameAs(resolver.resolve(ORDERS, PartitionKey.int64(7)));
  }

  @Test
  void badKeysAndUnknownServicesFailTyped() {
    ResolutionFailure.InvalidKey kind =
        (ResolutionFailure.InvalidKey) resolver.resolve(ORDERS, PartitionKey.named("x"));
    assertThat(kind.reason()).isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
    assertThat(kind.httpStatus()).isEqualTo(400);
    assertThat(kind.errorCode()).isEqualTo(FabricError.INVALID_PARTITION_KEY);
    assertThat(kind.message()).contains("fabric:/Shop/Orders").contains("Named(\"x\")");
    assertThat(kind.errorReason()).isEqualTo("PartitionResolutionFailure");

    for (long key : new long[] {-1, 100, Long.MAX_VALUE}) {
      ResolutionFailure.InvalidKey range =
          (ResolutionFailure.InvalidKey) resolver.resolve(ORDERS, PartitionKey.int64(key));
      assertThat(range.reason()).isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
      assertThat(range.message())
          .contains("fabric:/Shop/Orders")
          .contains(Long.toString(key))
          .contains("[0, 99]");
    }
    ResolutionFailure.InvalidKey name =
        (ResolutionFailure.InvalidKey) resolver.resolve(CATALOG, PartitionKey.named("East"));
    assertThat(name.reason()).isEqualTo(PartitionLookup.Reason.NAME_NOT_FOUND);
    assertThat(name.message()).contains("fabric:/Shop/Catalog").contains("East");
    assertThat(resolver.resolve(WEB, PartitionKey.int64(1)))
        .isInstanceOf(ResolutionFailure.InvalidKey.class);

    for (String missing : List.of("fabric:/Shop/Nope", "fabric:/shop/orders")) {
      ResolutionFailure.ServiceNotFound nf =
          (ResolutionFailure.ServiceNotFound)
              resolver.resolve(FabricName.parse(missing), PartitionKey.int64(1));
      assertThat(nf.httpStatus()).isEqualTo(404);
      assertThat(nf.errorCode()).isEqualTo(FabricError.SERVICE_DOES_NOT_EXIST);
      assertThat(nf.message()).contains(missing).contains("Int64(1)");
    }
    Future<ResolvedPartition> failed =
        resolver.resolve(ORDERS, PartitionKey.int64(100)).partitionFuture();
    assertThat(failed.failed()).isTrue();
    assertThat(((FabricResolutionException) failed.cause()).httpStatus()).isEqualTo(400);
  }

  @Test
  void selectorsFollowTheReverseProxyRules() {
    ResolvedPartition p1 = resolved(ORDERS, PartitionKey.int64(30));
    ListenerSelection proxy = ListenerSelection.REVERSE_PROXY;
    assertThat(target(p1, null, null, proxy, 2).baseUrl()).isEqualTo("https://10.0.1.1:9443/admin");
    assertThat(target(p1, ReplicaSelector.PRIMARY, null, proxy, 2).replica().replicaId())
        .isEqualTo("r0");
    assertThat(target(p1, ReplicaSelector.RANDOM_SECONDARY, null, proxy, 0).replica().replicaId())
        .isEqualTo("r1");
    assertThat(target(p1, ReplicaSelector.RANDOM_SECONDARY, null, proxy, 1).replica().replicaId())
        .isEqualTo("r2");
    assertThat(target(p1, ReplicaSelector.RANDOM_REPLICA, null, proxy, 0).replica().replicaId())
        .isEqualTo("r0");
    assertThat(target(p1, ReplicaSelector.RANDOM_REPLICA, null, proxy, 2).replica().replicaId())
        .isEqualTo("r2");
    assertThat(target(p1, ReplicaSelector.RANDOM_INSTANCE, null, proxy, 1).replica().replicaId())
        .isEqualTo("r1");

    ResolvedPartition web = resolved(WEB, PartitionKey.none());
    assertThat(target(web, null, null, proxy, 1).baseUrl()).isEqualTo("http://10.2.0.2:80/web");
    assertThat(target(web, ReplicaSelector.PRIMARY, null, proxy, 0).baseUrl())
        .isEqualTo("http://10.2.0.1:80/web");
    for (ReplicaSelector invalid :
        List.of(ReplicaSelector.RANDOM_SECONDARY, ReplicaSelector.RANDOM_REPLICA)) {
      TargetResolution t =
          FabricResolver.target(web, invalid, Optional.empty(), proxy, fixed(0, 0));
      assertThat(t).isInstanceOf(ResolutionFailure.InvalidSelector.class);
      assertThat(((ResolutionFailure) t).httpStatus()).isEqualTo(400);
      assertThat(((ResolutionFailure) t).message())
          .contains("fabric:/Shop/Web")
          .contains(invalid.reverseProxyName());
    }
    // through the resolver, with its own randomness
    TargetResolution viaResolver =
        resolver.target(CATALOG, PartitionKey.named("east"), null, Optional.empty(), proxy);
    assertThat(((FabricTarget) viaResolver).baseUrl()).isEqualTo("http://10.1.0.1:8081");
  }

  @Test
  void noReplicaOfTheAskedKindIsUnavailable() {
    await(registry.setStatus(recordIds.get("Orders/3/0"), InstanceStatus.DOWN));
    await(watcher.refresh());
    ResolvedPartition p3 = resolved(ORDERS, PartitionKey.int64(80));
    assertThat(p3.primary()).isEmpty();
    TargetResolution t =
        FabricResolver.target(
            p3,
            ReplicaSelector.PRIMARY,
            Optional.empty(),
            ListenerSelection.REVERSE_PROXY,
            fixed(0, 0));
    ResolutionFailure.NoReplica none = (ResolutionFailure.NoReplica) t;
    assertThat(none.httpStatus()).isEqualTo(503);
    assertThat(none.errorCode()).isEqualTo(FabricError.NOT_PRIMARY);
    assertThat(none.errorReason()).isEqualTo("BackendUnavailable");
    assertThat(none.message())
        .contains("fabric:/Shop/Orders")
        .contains(guid(103))
        .contains("primary");
    assertThat(
            target(p3, ReplicaSelector.RANDOM_SECONDARY, null, ListenerSelection.REVERSE_PROXY, 0)
                .baseUrl())
        .isEqualTo("https://10.0.3.2:9443/admin");

    for (int r = 1; r < 3; r++) {
      await(registry.setStatus(recordIds.get("Orders/3/" + r), InstanceStatus.OUT_OF_SERVICE));
    }
    await(watcher.refresh());
    Resolution gone = resolver.resolve(ORDERS, PartitionKey.int64(80));
    assertThat(gone).isInstanceOf(ResolutionFailure.NoReplica.class);
    assertThat(((ResolutionFailure) gone).errorCode()).isEqualTo(FabricError.SERVICE_OFFLINE);
    assertThat(((ResolutionFailure) gone).message()).contains("Int64(80)");
  }

  @Test
  void listenersAreChosenByClientOrReverseProxyRules() {
    ResolvedPartition p1 = resolved(ORDERS, PartitionKey.int64(30));
    assertThat(target(p1, null, null, ListenerSelection.CLIENT, 0).baseUrl())
        .isEqualTo("net.tcp://10.0.1.1:7000");
    assertThat(target(p1, null, "API", ListenerSelection.REVERSE_PROXY, 0).baseUrl())
        .isEqualTo("http://10.0.1.1:8080/orders");
    assertThat(target(p1, null, "api", ListenerSelection.CLIENT, 0).listener().name())
        .isEqualTo("api");

    TargetResolution exact =
        FabricResolver.target(p1, null, Optional.of("API"), ListenerSelection.CLIENT, fixed(0, 0));
    ResolutionFailure.NoListener noListener = (ResolutionFailure.NoListener) exact;
    assertThat(noListener.httpStatus()).isEqualTo(503);
    assertThat(noListener.message()).contains("fabric:/Shop/Orders").contains("\"API\"");
    assertThat(noListener.detail().available()).containsExactly("rpc", "api", "Admin");

    TargetResolution tcp =
        FabricResolver.target(
            p1, null, Optional.of("rpc"), ListenerSelection.REVERSE_PROXY, fixed(0, 0));
    assertThat(tcp).isInstanceOf(ResolutionFailure.NoListener.class);

    // a random pick that lands on an instance without an http listener moves on to the next one
    ResolvedPartition web = resolved(WEB, PartitionKey.none());
    assertThat(target(web, null, null, ListenerSelection.REVERSE_PROXY, 2).baseUrl())
        .isEqualTo("http://10.2.0.1:80/web");
    assertThat(target(web, null, null, ListenerSelection.CLIENT, 2).baseUrl())
        .isEqualTo("net.tcp://10.2.0.3:81");
  }

  @Test
  void complaintReturnsTheMovedPrimaryAfterOneRegistryRefresh() {
    // a resolver that has not heard of the move: only the forced refresh can tell it
    FabricResolver deaf =
        new FabricResolver(
            () -> {
              refreshes.incrementAndGet();
              return watcher.refresh();
            });
    deaf.update(watcher.current());
    ResolvedPartition previous = (ResolvedPartition) deaf.resolve(ORDERS, PartitionKey.int64(30));
    FabricTarget before =
        (FabricTarget)
            FabricResolver.target(
                previous, null, Optional.empty(), ListenerSelection.REVERSE_PROXY, fixed(0, 0));
    assertThat(before.baseUrl()).isEqualTo("https://10.0.1.1:9443/admin");

    String id = recordIds.get("Orders/1/0");
    FabricReplicaMetadata old = published.get(id);
    FabricReplicaMetadata moved =
        new FabricReplicaMetadata(
            old.application(),
            old.service(),
            old.serviceKind(),
            old.partition(),
            old.role(),
            old.replicaId(),
            ordersAddress("10.0.1.9"),
            2,
            0);
    await(registry.update(id, spec(moved)));

    Resolution again = await(deaf.reresolve(previous));
    assertThat(refreshes.get()).isEqualTo(1);
    ResolvedPartition now = (ResolvedPartition) again;
    assertThat(now.version().isNewerThan(previous.version())).isTrue();
    assertThat(now.version().generation()).isEqualTo(2);
    FabricTarget after =
        (FabricTarget)
            FabricResolver.target(
                now, null, Optional.empty(), ListenerSelection.REVERSE_PROXY, fixed(0, 0));
    assertThat(after.baseUrl()).isEqualTo("https://10.0.1.9:9443/admin");

    // the attached resolver saw it through onChange: newer at once, no refresh
    refreshes.set(0);
    await(watcher.refresh());
    Resolution attached = await(resolver.reresolve(previous));
    assertThat(((ResolvedPartition) attached).version().generation()).isEqualTo(2);
    assertThat(refreshes.get()).isZero();
  }

  @Test
  void complaintWithoutNewerVersionReturnsTheSameOneAfterOneRefresh() {
    ResolvedPartition previous = resolved(ORDERS, PartitionKey.int64(60));
    Resolution same = await(resolver.reresolve(previous));
    assertThat(same).isSameAs(previous);
    assertThat(refreshes.get()).isEqualTo(1);

    // a publisher going back in version never moves the caller back
    String id = recordIds.get("Orders/2/0");
    FabricReplicaMetadata m = published.get(id);
    ResolvedPartition fromTheFuture =
        new ResolvedPartition(
            previous.service(),
            previous.serviceKind(),
            previous.partition(),
            new dev.portico.fabric.PartitionVersion(m.partition().id(), 9, 0),
            previous.replicas());
    assertThat(await(resolver.reresolve(fromTheFuture))).isSameAs(fromTheFuture);
    assertThat(refreshes.get()).isEqualTo(2);
  }

  @Test
  void complaintAfterTheServiceWasRecreatedOrDeleted() {
    ResolvedPartition east = resolved(CATALOG, PartitionKey.named("east"));
    for (int p = 0; p < 2; p++) {
      for (int r = 0; r < 2; r++) {
        await(registry.unpublish(recordIds.get("Catalog/" + p + "/" + r)));
      }
    }
    PartitionInfo newEast = new PartitionInfo.Named(guid(210), "east");
    publish(
        CATALOG,
        0,
        0,
        replica(
            CATALOG.toString(),
            ServiceKind.STATEFUL,
            newEast,
            ReplicaRole.STATEFUL_PRIMARY,
            "n0",
            Fixtures.endpoints("http://10.1.9.1:8081/"),
            1));
    ResolvedPartition recreated = (ResolvedPartition) await(resolver.reresolve(east));
    assertThat(recreated.partition().id()).isEqualTo(guid(210));
    assertThat(recreated.version().compareWith(east.version()))
        .isEqualTo(dev.portico.fabric.PartitionVersion.Order.NOT_COMPARABLE);

    await(registry.unpublish(recordIds.get("Catalog/0/0")));
    Resolution deleted = await(resolver.reresolve(recreated));
    assertThat(deleted).isInstanceOf(ResolutionFailure.ServiceNotFound.class);
  }

  @Test
  void lookupsStayConsistentWhileTheIndexIsSwappedFromAnotherThread() throws Exception {
    List<Thread> readers = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    for (int t = 0; t < 4; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < 50_000; i++) {
                  Resolution r = resolver.resolve(ORDERS, PartitionKey.int64(i % 100));
                  if (!(r instanceof ResolvedPartition)
                      || ((ResolvedPartition) r).replicas().size() != 3) {
                    errors.incrementAndGet();
                  }
                }
              });
      readers.add(th);
      th.start();
    }
    for (int i = 0; i < 20; i++) {
      await(watcher.refresh());
    }
    for (Thread th : readers) {
      th.join();
    }
    assertThat(errors.get()).isZero();
    assertThatThrownBy(() -> resolver.resolve(null, PartitionKey.none()))
        .isInstanceOf(NullPointerException.class);
  }
}
