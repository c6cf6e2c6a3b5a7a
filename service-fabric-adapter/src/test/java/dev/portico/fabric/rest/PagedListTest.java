package dev.portico.fabric.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ServiceKind;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PagedListTest {

  @Test
  void pagesOfServices() {
    PagedList<ServiceInfo> page =
        ServiceInfo.page(
            """
                {"ContinuationToken":"fabric:/App/B","Items":[
                  {"ServiceKind":"Stateful","Id":"App~A","Name":"fabric:/App/A","TypeName":"AType",
                   "ManifestVersion":"1.0.0","HasPersistedState":true,"HealthState":"Ok","ServiceStatus":"Active",
                   "IsServiceGroup":false},
                  {"ServiceKind":"Stateless","Name":"fabric:/App/B"}]}""");
    assertThat(page.isLastPage()).isFalse();
    assertThat(page.nextToken()).contains("fabric:/App/B");
    assertThat(page.items())
        .containsExactly(
            new ServiceInfo(
                ServiceKind.STATEFUL,
                FabricName.parse("fabric:/App/A"),
                "AType",
                "App~A",
                "1.0.0",
                "Ok",
                "Active"),
            new ServiceInfo(
                ServiceKind.STATELESS, FabricName.parse("fabric:/App/B"), "", "App~B", "", "", ""));
  }

  @Test
  void emptyOrMissingTokenIsTheLastPage() {
    assertThat(ServiceInfo.page("{\"ContinuationToken\":\"\",\"Items\":[]}").isLastPage()).isTrue();
    PagedList<ServiceInfo> bare = ServiceInfo.page("{}");
    assertThat(bare.isLastPage()).isTrue();
    assertThat(bare.nextToken()).isEmpty();
    assertThat(bare.items()).isEmpty();
    assertThat(ServiceInfo.page("{\"ContinuationToken\":null,\"Items\":null}").isLastPage())
        .isTrue();
  }

  @Test
  void pagesOfPartitions() {
    PagedList<ServicePartitionItem> page =
        ServicePartitionItem.page(
            """
                {"ContinuationToken":"","Items":[
                  {"ServiceKind":"Stateful","PartitionInformation":{"ServicePartitionKind":"Int64Range",
                     "Id":"bc4a7370-f992-4ca3-9214-d1716f04aa23","LowKey":"-9223372036854775808","HighKey":"-1"},
                   "TargetReplicaSetSize":3,"MinReplicaSetSize":2,"HealthState":"Ok","PartitionStatus":"Ready",
                   "LastQuorumLossDuration":"PT0S","CurrentConfigurationEpoch":{"ConfigurationVersion":"8589934592"}},
                  {"ServiceKind":"Stateless","PartitionInformation":{"ServicePartitionKind":"Singleton",
                     "Id":"00000001-0000-4000-8000-000000000001"},"InstanceCount":-1,"HealthState":"Warning",
                   "PartitionStatus":"Ready"}]}""");
    assertThat(page.isLastPage()).isTrue();
    ServicePartitionItem stateful = page.items().get(0);
    assertThat(stateful.serviceKind()).isEqualTo(ServiceKind.STATEFUL);
    assertThat(stateful.partition())
        .isEqualTo(
            new PartitionInfo.Int64Range(
                "bc4a7370-f992-4ca3-9214-d1716f04aa23", Long.MIN_VALUE, -1));
    assertThat(stateful.targetReplicaSetSize()).isEqualTo(OptionalInt.of(3));
    assertThat(stateful.minReplicaSetSize()).isEqualTo(OptionalInt.of(2));
    assertThat(stateful.instanceCount()).isEmpty();
    assertThat(stateful.healthState()).isEqualTo("Ok");
    assertThat(stateful.partitionStatus()).isEqualTo("Ready");
    ServicePartitionItem stateless = page.items().get(1);
    assertThat(stateless.instanceCount()).isEqualTo(OptionalInt.of(-1));
    assertThat(stateless.targetReplicaSetSize()).isEmpty();
    assertThat(stateless.healthState()).isEqualTo("Warning");
  }

  @Test
  void pagesOfApplications() {
    PagedList<ApplicationInfo> page =
        ApplicationInfo.page(
            """
                {"ContinuationToken":"next","Items":[
                  {"Id":"myapp~app1","Name":"fabric:/myapp/app1","TypeName":"AppType","TypeVersion":"2.1",
                   "Status":"Ready","HealthState":"Ok","ApplicationDefinitionKind":"ServiceFabricApplicationDescription",
                   "Parameters":[{"Key":"z","Value":"1"},{"Key":"a","Value":"2"}]},
                  {"Name":"fabric:/Other"}]}""");
    ApplicationInfo app = page.items().get(0);
    assertThat(app.id()).isEqualTo("myapp~app1");
    assertThat(app.name()).isEqualTo(FabricName.parse("fabric:/myapp/app1"));
    assertThat(app.typeName()).isEqualTo("AppType");
    assertThat(app.typeVersion()).isEqualTo("2.1");
    assertThat(app.status()).isEqualTo("Ready");
    assertThat(app.parameters())
        .containsExactly(java.util.Map.entry("z", "1"), java.util.Map.entry("a", "2"));
    assertThat(page.items().get(1).id()).isEqualTo("Other");
    assertThat(page.items().get(1).parameters()).isEmpty();
    assertThat(page.nextToken()).contains("next");
  }

  @Test
  void itemErrorsNameTheItem() {
    assertThatThrownBy(
            () ->
                ServiceInfo.page(
                    "{\"Items\":[{\"ServiceKind\":\"Stateful\",\"Name\":\"fabric:/A/B\"},"
                        + "{\"ServiceKind\":\"Stateful\",\"Name\":\"fabric:/A/\"}]}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> {
              assertThat(e.field()).isEqualTo("Items[1].Name");
              assertThat(e.getMessage()).contains("trailing '/'");
            });
    assertThatThrownBy(
            () ->
                ServicePartitionItem.page(
                    "{\"Items\":[{\"ServiceKind\":\"Stateful\","
                        + "\"PartitionInformation\":{\"ServicePartitionKind\":\"Named\",\"Id\":\"00000001-0000-4000-8000-000000000001\","
                        + "\"Name\":\"\"}}]}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> assertThat(e.field()).isEqualTo("Items[0].PartitionInformation.Name"));
    assertThatThrownBy(
            () ->
                ServicePartitionItem.page(
                    "{\"Items\":[{\"ServiceKind\":\"Stateful\","
                        + "\"PartitionInformation\":{\"ServicePartitionKind\":\"Singleton\",\"Id\":\"00000001-0000-4000-8000-000000000001\"},"
                        + "\"TargetReplicaSetSize\":1.5}]}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> assertThat(e.field()).isEqualTo("Items[0].TargetReplicaSetSize"));
    assertThatThrownBy(
            () ->
                ApplicationInfo.page(
                    "{\"Items\":[{\"Name\":\"fabric:/A\",\"Parameters\":[{\"Value\":\"v\"}]}]}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> assertThat(e.field()).isEqualTo("Items[0].Parameters[0].Key"));
    assertThatThrownBy(() -> ServiceInfo.page("{\"Items\":{}}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class, e -> assertThat(e.field()).isEqualTo("Items"));
    assertThatThrownBy(() -> ServiceInfo.page("{\"ContinuationToken\":5}"))
        .isInstanceOfSatisfying(
            FabricFormatException.class, e -> assertThat(e.field()).isEqualTo("ContinuationToken"));
  }
}
