package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import io.vertx.servicediscovery.Record;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RegistryWatcherTest {

  @Test
  void snapshotFollowsPublishUpdateStatusAndUnpublish(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    CopyOnWriteArrayList<RegistrySnapshot> seen = new CopyOnWriteArrayList<>();
    watcher.onChange(seen::add);
    assertThat(watcher.start().await().services()).isEmpty();

    ServiceInstance a =
        registry
            .publish(
                InstanceSpec.of(
                    "orders",
                    "http://10.0.0.1:8080/api",
                    InstanceStatus.UP,
                    Map.of("zone", "a", "sf.lowKey", "-9223372036854775808")))
            .await();
    registry.publish(InstanceSpec.of("orders", "https://10.0.0.2")).await();
    // announcements alone (the periodic refresh is 5 minutes away) bring the snapshot up to date
    await().atMost(1, TimeUnit.SECONDS).until(() -> watcher.current().up("orders").size() == 2);
    ServiceInstance first =
        watcher.current().up("orders").stream()
            .filter(i -> i.id().equals(a.id()))
            .findFirst()
            .orElseThrow();
    assertThat(first.baseUrl()).isEqualTo("http://10.0.0.1:8080/api");
    assertThat(first.metadata("sf.lowKey")).isEqualTo("-9223372036854775808");
    assertThat(watcher.current().up("orders"))
        .anyMatch(i -> i.ssl() && i.port() == 443 && i.root().isEmpty());

    registry.setStatus(a.id(), InstanceStatus.DOWN).await();
    await().atMost(1, TimeUnit.SECONDS).until(() -> watcher.current().up("orders").size() == 1);
    assertThat(watcher.current().service("orders").countsByStatus())
        .containsEntry(InstanceStatus.DOWN, 1)
        .containsEntry(InstanceStatus.UP, 1);

    registry.update(a.id(), InstanceSpec.of("orders", "http://10.0.0.9:9000")).await();
    await()
        .atMost(1, TimeUnit.SECONDS)
        .until(
            () ->
                watcher.current().up("orders").stream().anyMatch(i -> i.host().equals("10.0.0.9")));
    assertThat(watcher.current().up("orders"))
        .filteredOn(i -> i.host().equals("10.0.0.9"))
        .extracting(ServiceInstance::id)
        .containsExactly(a.id());

    registry.unpublish(a.id()).await();
    RegistrySnapshot after = watcher.refresh().await();
    assertThat(after.all()).noneMatch(i -> i.id().equals(a.id()));
    assertThat(seen).isNotEmpty();
    assertThat(seen.stream().mapToLong(RegistrySnapshot::version)).isSorted();
    watcher.stop().await();
    registry.close();
  }

  @Test
  void aSingleWriteIsReadAloneAndABatchAnnouncementReadsEverything(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    // written without an announcement (a writer that bypasses the gateway's registry)
    ServiceInstance quiet =
        registry.publishQuietly(InstanceSpec.of("quiet", "http://10.0.0.7:8080")).await();
    ServiceInstance loud =
        registry.publish(InstanceSpec.of("loud", "http://10.0.0.8:8080")).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().service("loud") != null);
    // the announcement named its record: only that one was read, the quiet one waits for a read of
    // every record
    assertThat(watcher.current().service("quiet")).isNull();
    assertThat(watcher.current().up("loud"))
        .extracting(ServiceInstance::id)
        .containsExactly(loud.id());
    // an announcement that names no record (a batch) reads every record
    registry.announce("a batch");
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().service("quiet") != null);
    assertThat(watcher.current().up("quiet"))
        .extracting(ServiceInstance::id)
        .containsExactly(quiet.id());
    // so does anyone else's message on the address
    ServiceInstance other =
        registry.publishQuietly(InstanceSpec.of("other", "http://10.0.0.9:8080")).await();
    vertx.eventBus().publish(registry.options().announceAddress(), "something changed");
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().service("other") != null);
    assertThat(watcher.current().up("other"))
        .extracting(ServiceInstance::id)
        .containsExactly(other.id());
    // an announced unpublish and status change are read alone too
    registry.unpublishQuietly(quiet.id()).await();
    registry.setStatus(loud.id(), InstanceStatus.DOWN).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().up("loud").isEmpty());
    assertThat(watcher.current().service("quiet")).isNotNull();
    registry.unpublish(loud.id()).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().service("loud") == null);
    assertThat(watcher.current().service("quiet")).isNotNull();
    watcher.stop().await();
    registry.close();
  }

  @Test
  void manyAnnouncementsCoalesceIntoFewRebuilds(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    long before = watcher.current().version();
    for (int i = 0; i < 200; i++) {
      registry.publish(InstanceSpec.of("bulk", "http://10.1.0." + (i % 250) + ":" + (1000 + i)));
    }
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().up("bulk").size() == 200);
    assertThat(watcher.current().version() - before).isLessThan(200);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void aRefreshThatFindsNothingNewMakesNoSnapshot(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMillis(100)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    RegistrySnapshot before = watcher.refresh().await();
    CopyOnWriteArrayList<RegistrySnapshot> seen = new CopyOnWriteArrayList<>();
    watcher.onChange(seen::add);
    java.time.Instant read = watcher.lastSuccess();
    // several periodic refreshes read the registry again...
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> watcher.lastSuccess().isAfter(read.plusMillis(300)));
    // ...and find nothing new: the same snapshot stays, no listener is told
    assertThat(watcher.refresh().await()).isSameAs(before);
    assertThat(watcher.current()).isSameAs(before);
    assertThat(seen).isEmpty();
    watcher.stop().await();
    registry.close();
  }

  @Test
  void onlyTheServicesThatChangedGetNewGroupsAndRecordsAreNotDecodedAgain(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    ServiceInstance b =
        registry.publish(InstanceSpec.of("billing", "http://10.0.0.2:8080")).await();
    RegistrySnapshot first = watcher.refresh().await();
    RegistrySnapshot.ServiceGroup orders = first.service("orders");
    ServiceInstance ordersInstance = orders.all().get(0);

    registry.setStatus(b.id(), InstanceStatus.DOWN).await();
    RegistrySnapshot second = watcher.refresh().await();
    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(second.service("billing")).isNotSameAs(first.service("billing"));
    assertThat(second.service("billing").up()).isEmpty();
    // untouched: the very same group, holding the very same decoded instance
    assertThat(second.service("orders")).isSameAs(orders);
    assertThat(second.service("orders").all().get(0)).isSameAs(ordersInstance);

    registry.unpublish(b.id()).await();
    RegistrySnapshot third = watcher.refresh().await();
    assertThat(third.service("billing")).isNull();
    assertThat(third.service("orders")).isSameAs(orders);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void snapshotsAreBuiltAndListenersToldOffTheEventLoops(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    CopyOnWriteArrayList<Boolean> onEventLoop = new CopyOnWriteArrayList<>();
    watcher.onChange(s -> onEventLoop.add(io.vertx.core.Context.isOnEventLoopThread()));
    watcher.start().await();
    registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.current().up("orders").size() == 1);
    assertThat(onEventLoop).isNotEmpty().containsOnly(false);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void startAndRefreshCompleteOnTheCallersContext(Vertx vertx) throws Exception {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    io.vertx.core.Context loop = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Boolean> started =
        new java.util.concurrent.CompletableFuture<>();
    loop.runOnContext(
        v ->
            watcher
                .start()
                .onComplete(
                    ar -> started.complete(ar.succeeded() && Vertx.currentContext() == loop)));
    assertThat(started.get(5, TimeUnit.SECONDS)).isTrue();
    java.util.concurrent.CompletableFuture<Boolean> refreshed =
        new java.util.concurrent.CompletableFuture<>();
    loop.runOnContext(
        v ->
            watcher
                .refresh()
                .onComplete(
                    ar -> refreshed.complete(ar.succeeded() && Vertx.currentContext() == loop)));
    assertThat(refreshed.get(5, TimeUnit.SECONDS)).isTrue();
    watcher.stop().await();
    registry.close();
  }

  @Test
  void recordsPublishedInBulkAreSeenWithoutDecodingThemAgain(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    java.util.List<InstanceSpec> specs = new java.util.ArrayList<>();
    for (int i = 0; i < 500; i++) {
      specs.add(InstanceSpec.of("svc-" + (i % 5), "http://10.0.1." + (i % 250) + ":" + (8000 + i)));
    }
    java.util.List<ServiceInstance> published = registry.publishAll(specs).await();
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    RegistrySnapshot first = watcher.start().await();
    assertThat(first.size()).isEqualTo(500);
    // the very instances the bulk publication made: not decoded again from the stored text
    java.util.Set<ServiceInstance> made =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    made.addAll(published);
    assertThat(first.services().values().stream().flatMap(g -> g.all().stream()))
        .allMatch(made::contains);
    // and what was stored decodes to the same values
    assertThat(registry.instances().await()).containsExactlyInAnyOrderElementsOf(published);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void aBulkRecordUnpublishedBeforeAnyReadIsNotKeptForTheWatcher(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    java.util.List<ServiceInstance> published =
        registry
            .publishAll(
                java.util.List.of(
                    InstanceSpec.of("a", "http://10.0.2.1:8001"),
                    InstanceSpec.of("a", "http://10.0.2.2:8002")))
            .await();
    assertThat(registry.awaitingRead()).isEqualTo(2);
    registry.unpublish(published.get(0).id()).await();
    registry
        .write(
            new RegistryWrites(
                java.util.List.of(published.get(1).id()), java.util.List.of(), java.util.List.of()))
        .await();
    assertThat(registry.awaitingRead()).isZero();
    registry.close();
  }

  @Test
  void aLargeBulkIsEncodedOffTheCallersEventLoopAndCompletesOnIt(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    java.util.List<InstanceSpec> specs = new java.util.ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      specs.add(InstanceSpec.of("big-" + (i % 3), "http://10.0.3." + (i % 250) + ":" + (9000 + i)));
    }
    io.vertx.core.Context context = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Boolean> onCaller =
        new java.util.concurrent.CompletableFuture<>();
    java.util.List<ServiceInstance> published =
        io.vertx.core.Future.<java.util.List<ServiceInstance>>future(
                p ->
                    context.runOnContext(
                        v ->
                            registry
                                .publishAll(specs)
                                .onComplete(
                                    ar -> {
                                      onCaller.complete(
                                          io.vertx.core.Vertx.currentContext() == context);
                                      p.handle(ar);
                                    })))
            .await();
    assertThat(onCaller.join()).isTrue();
    assertThat(published).hasSize(3000);
    assertThat(published.get(2999).port()).isEqualTo(11999);
    assertThat(registry.instances().await()).containsExactlyInAnyOrderElementsOf(published);
    registry.close();
  }

  @Test
  void unpublishAllRemovesEveryRecordAndAWatcherSeesThem(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    java.util.List<ServiceInstance> published =
        registry
            .publishAll(
                java.util.List.of(
                    InstanceSpec.of("gone", "http://10.0.4.1:8001"),
                    InstanceSpec.of("gone", "http://10.0.4.2:8002"),
                    InstanceSpec.of("kept", "http://10.0.4.3:8003")))
            .await();
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    assertThat(watcher.start().await().size()).isEqualTo(3);
    registry
        .unpublishAll(
            java.util.List.of(published.get(0).id(), published.get(1).id(), "no-such-record"))
        .await();
    assertThat(registry.instances().await()).containsExactly(published.get(2));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> watcher.current().size() == 1);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void recordsWrittenStraightToTheStoreAreFollowedByTheirTextOnAReadOfEveryRecord(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    ServiceInstance a = registry.publish(InstanceSpec.of("orders", "http://10.0.0.1:8080")).await();
    AsyncMap<String, String> store =
        vertx.sharedData().<String, String>getAsyncMap(RecordStore.LocalMap.MAP).await();
    // a writer whose announcements this process does not hear: only a read of every record sees
    // it, and that read finds records by their text (the registration id is in it), not their key
    String b = RecordText.encode(InstanceSpec.of("orders", "http://10.0.0.2:8080"), "b-id");
    store.put("b-id", b).await();
    store.put("broken", "{not json").await();
    store
        .put(
            "anonymous",
            new JsonObject(RecordText.encode(InstanceSpec.of("orders", "http://10.0.0.3"), "x"))
                .put("registration", null)
                .encode())
        .await();
    store
        .put(
            "cache-id",
            new Record()
                .setName("cache")
                .setType("redis")
                .setRegistration("cache-id")
                .toJson()
                .encode())
        .await();

    RegistrySnapshot first = watcher.refresh().await();
    assertThat(first.service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactlyInAnyOrder(a.id(), "b-id");
    assertThat(first.service("cache")).isNull();
    assertThat(watcher.tracked()).isEqualTo(5);
    // nothing new: the undecodable and ignored records are not decoded again and change nothing
    assertThat(watcher.refresh().await()).isSameAs(first);

    store.put("b-id", new JsonObject(b).put("status", "DOWN").encode()).await();
    RegistrySnapshot second = watcher.refresh().await();
    assertThat(second.up("orders")).extracting(ServiceInstance::id).containsExactly(a.id());
    assertThat(second.service("orders").countsByStatus()).containsEntry(InstanceStatus.DOWN, 1);
    assertThat(watcher.tracked()).isEqualTo(5);

    for (String key : java.util.List.of("b-id", "broken", "anonymous", "cache-id")) {
      store.remove(key).await();
    }
    RegistrySnapshot third = watcher.refresh().await();
    assertThat(third.service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactly(a.id());
    assertThat(watcher.tracked()).isEqualTo(1);

    // an announced single write of a record (a targeted read by id) is followed by its text too
    registry.setStatus(a.id(), InstanceStatus.DOWN).await();
    await().atMost(1, TimeUnit.SECONDS).until(() -> watcher.current().up("orders").isEmpty());
    assertThat(watcher.refresh().await().service("orders").countsByStatus())
        .containsEntry(InstanceStatus.DOWN, 1);
    assertThat(watcher.tracked()).isEqualTo(1);
    watcher.stop().await();
    registry.close();
  }

  @Test
  void ofTwoRecordsNamingOneRegistrationIdTheFirstReadStaysUntilItIsGone(Vertx vertx) {
    Registry registry =
        Registry.create(vertx, RegistryOptions.local().withRefreshInterval(Duration.ofMinutes(5)));
    RegistryWatcher watcher = new RegistryWatcher(vertx, registry);
    watcher.start().await();
    AsyncMap<String, String> store =
        vertx.sharedData().<String, String>getAsyncMap(RecordStore.LocalMap.MAP).await();
    // written outside Service Discovery's contract: two keys, one registration id
    store
        .put("key-1", RecordText.encode(InstanceSpec.of("orders", "http://10.0.9.1:8080"), "dup"))
        .await();
    store
        .put("key-2", RecordText.encode(InstanceSpec.of("orders", "http://10.0.9.2:8080"), "dup"))
        .await();
    RegistrySnapshot first = watcher.refresh().await();
    assertThat(first.service("orders").all())
        .extracting(ServiceInstance::id)
        .containsExactly("dup");
    String kept = first.service("orders").all().get(0).host();
    // stable: the same record stays at every read, nothing changes
    assertThat(watcher.refresh().await()).isSameAs(first);
    assertThat(watcher.refresh().await()).isSameAs(first);
    // an announcement of the other key (a read of that record alone) does not swap them either
    java.time.Instant before = watcher.lastSuccess();
    vertx
        .eventBus()
        .publish(
            registry.options().announceAddress(),
            new JsonObject()
                .put(Registry.RECORD_FIELD, kept.equals("10.0.9.1") ? "key-2" : "key-1"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> watcher.lastSuccess().isAfter(before));
    assertThat(watcher.current()).isSameAs(first);

    store.remove(kept.equals("10.0.9.1") ? "key-1" : "key-2").await();
    RegistrySnapshot second = watcher.refresh().await();
    assertThat(second.service("orders").all())
        .extracting(ServiceInstance::host)
        .containsExactly(kept.equals("10.0.9.1") ? "10.0.9.2" : "10.0.9.1");
    watcher.stop().await();
    registry.close();
  }
}
