package dev.portico.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.backend.PoolBackend;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.SingleBackend;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.support.ConfigTexts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A registry change rebuilds only what depends on the services that changed. */
class RoutingStateTest {

  private static final GatewayConfig CONFIG =
      ConfigTexts.load(
          """
    backends:
      - { id: a, url: svc-a }
      - { id: b, url: svc-b }
      - { id: both, type: Pool, pool: { services: [ { id: a }, { id: b } ] } }
    apis:
      - { id: a, path: /a, backend: a }
      - { id: pool, path: /p, backend: both }
    """,
          Map.of());

  private static ServiceInstance instance(
      String id, String service, String host, InstanceStatus status) {
    return new ServiceInstance(id, service, host, 8080, false, "", status, Map.of());
  }

  @Test
  void onlyBackendsOfChangedServicesGetNewTargetsAndTokensStay() {
    List<ServiceInstance> records =
        new ArrayList<>(
            List.of(
                instance("1", "svc-a", "10.0.0.1", InstanceStatus.UP),
                instance("2", "svc-a", "10.0.0.2", InstanceStatus.UP),
                instance("3", "svc-b", "10.0.1.1", InstanceStatus.UP)));
    RegistrySnapshot first = RegistrySnapshot.of(1, records);
    RoutingState s1 = RoutingState.compile(CONFIG, first, new BackendStates(t -> {}, r -> {}));
    SingleBackend a = (SingleBackend) s1.backend("a");
    SingleBackend b = (SingleBackend) s1.backend("b");
    String tokenOf2 = s1.targets(a).all()[1].token();

    // svc-a loses an instance; svc-b's group is the same object in the new snapshot
    RegistrySnapshot second =
        first.with(
            2,
            Map.of(
                "svc-a",
                RegistrySnapshot.of(
                        9,
                        List.of(
                            instance("2", "svc-a", "10.0.0.2", InstanceStatus.UP),
                            instance("1", "svc-a", "10.0.0.1", InstanceStatus.DOWN)))
                    .service("svc-a")));
    assertThat(second.service("svc-b")).isSameAs(first.service("svc-b"));
    RoutingState s2 = s1.withRegistry(second);
    assertThat(s2.registry()).isSameAs(second);
    assertThat(s2.targets(b)).isSameAs(s1.targets(b));
    assertThat(s2.targets(a)).isNotSameAs(s1.targets(a));
    assertThat(s2.endpoints("svc-a")).extracting(e -> e.host()).containsExactly("10.0.0.2");
    // the endpoint kept its breaker state and its affinity token
    Target kept = s2.targets(a).all()[0];
    assertThat(kept.token()).isEqualTo(tokenOf2);
    assertThat(kept.state()).isSameAs(s1.targets(a).all()[1].state());
    // the pool holding 'a' routes over the new targets
    PoolBackend pool = (PoolBackend) s2.backend("both");
    for (int i = 0; i < 6; i++) {
      Selection sel = s2.select(pool, System.nanoTime(), null, null);
      assertThat(sel).isInstanceOf(Selection.Chosen.class);
      Selection.Chosen c = (Selection.Chosen) sel;
      c.target().state().breaker().release(c.permit());
      assertThat(c.target().endpoint().host()).isIn("10.0.0.2", "10.0.1.1");
    }

    // a snapshot that changes nothing routed shares every target
    RegistrySnapshot third =
        second.with(
            3,
            Map.of(
                "unrouted",
                RegistrySnapshot.of(
                        1, List.of(instance("9", "unrouted", "10.9.9.9", InstanceStatus.UP)))
                    .service("unrouted")));
    RoutingState s3 = s2.withRegistry(third);
    assertThat(s3.targets(a)).isSameAs(s2.targets(a));
    assertThat(s3.targets(b)).isSameAs(s2.targets(b));
    assertThat(s3.registry()).isSameAs(third);

    // targets sit at each backend's slot of its own configuration: another compile's backend of the
    // same id is refused, not answered with this state's targets
    RoutingState other = RoutingState.compile(CONFIG, first, new BackendStates(t -> {}, r -> {}));
    SingleBackend otherA = (SingleBackend) other.backend("a");
    assertThat(otherA.slot()).isEqualTo(a.slot());
    assertThatThrownBy(() -> s3.targets(otherA)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void backendsOfOneServiceShareItsEndpointsAndFixedOrEmptyOnesStandAlone() {
    GatewayConfig config =
        ConfigTexts.load(
            """
      backends:
        - { id: a1, url: svc-a }
        - { id: fixed, url: "http://10.7.7.7:9000" }
        - { id: a2, url: svc-a }
        - { id: none, url: svc-none }
      apis:
        - { id: a1, path: /a1, backend: a1 }
        - { id: a2, path: /a2, backend: a2 }
        - { id: fixed, path: /f, backend: fixed }
        - { id: none, path: /n, backend: none }
      """,
            Map.of());
    RegistrySnapshot snapshot =
        RegistrySnapshot.of(
            1,
            List.of(
                instance("1", "svc-a", "10.0.0.1", InstanceStatus.UP),
                instance("2", "svc-a", "10.0.0.2", InstanceStatus.UP),
                instance("3", "svc-a", "10.0.0.3", InstanceStatus.DOWN),
                instance("4", "unrouted", "10.0.9.9", InstanceStatus.UP)));
    RoutingState s = RoutingState.compile(config, snapshot, new BackendStates(t -> {}, r -> {}));
    Target[] one = s.targets((SingleBackend) s.backend("a1")).all();
    Target[] two = s.targets((SingleBackend) s.backend("a2")).all();
    assertThat(one).extracting(t -> t.endpoint().host()).containsExactly("10.0.0.1", "10.0.0.2");
    for (int i = 0; i < one.length; i++) {
      // the same endpoint objects, each backend with its own endpoint state
      assertThat(two[i].endpoint()).isSameAs(one[i].endpoint());
      assertThat(two[i].state()).isNotSameAs(one[i].state());
    }
    assertThat(s.endpoints("svc-a"))
        .extracting(e -> e.host())
        .containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(s.targets((SingleBackend) s.backend("fixed")).all())
        .extracting(t -> t.endpoint().host() + ":" + t.endpoint().port())
        .containsExactly("10.7.7.7:9000");
    assertThat(s.targets((SingleBackend) s.backend("none")).all()).isEmpty();
    assertThat(s.endpoints("svc-none")).isEmpty();
    // only services a backend routes to have endpoints here
    assertThat(s.endpoints("unrouted")).isEmpty();
    assertThat(s.endpoints(null)).isEmpty();
  }
}
