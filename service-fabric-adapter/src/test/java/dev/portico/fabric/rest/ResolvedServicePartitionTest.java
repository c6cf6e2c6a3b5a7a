package dev.portico.fabric.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResolvedServicePartitionTest {

  /** The reference's sample, byte for byte (note the doubly escaped Address strings). */
  private static String sample() throws IOException {
    try (InputStream in =
        ResolvedServicePartitionTest.class.getResourceAsStream("resolve-partition-sample.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void parsesTheReferenceSample() throws IOException {
    ResolvedServicePartition r = ResolvedServicePartition.parse(sample());
    assertThat(r.name()).isEqualTo(FabricName.parse("fabric:/MyApp/MyService"));
    assertThat(r.partition())
        .isEqualTo(
            new PartitionInfo.Int64Range(
                "bc4a7370-f992-4ca3-9214-d1716f04aa23",
                -1844674407370955161L,
                1844674407370955161L));
    assertThat(r.version()).isEqualTo("<opaque string, pass back unchanged>");
    assertThat(r.endpoints()).hasSize(2);

    ResolvedEndpoint primary = r.primary().orElseThrow();
    assertThat(primary).isSameAs(r.endpoints().get(0));
    assertThat(primary.role()).isEqualTo(ReplicaRole.STATEFUL_PRIMARY);
    // One level of escaping is JSON's; the \/ inside the address string is the replica's own.
    assertThat(primary.address())
        .isEqualTo("{\"Endpoints\":{\"\":\"http:\\/\\/10.0.0.4:20001\\/p\\/r1\"}}");
    assertThat(
            primary
                .addresses()
                .select(Optional.empty(), ListenerSelection.REVERSE_PROXY)
                .orElseThrow()
                .address())
        .isEqualTo("http://10.0.0.4:20001/p/r1");

    assertThat(r.secondaries()).hasSize(1);
    assertThat(r.secondaries().get(0).addresses().listeners().get(0).address())
        .isEqualTo("http://10.0.0.5:20001/p/r2");
    assertThat(r.instances()).isEmpty();
  }

  @Test
  void parsesSingletonNamedAndNumericKinds() {
    ResolvedServicePartition stateless =
        ResolvedServicePartition.parse(
            """
                {"Name":"fabric:/App/Web","PartitionInformation":{"ServicePartitionKind":"Singleton",
                 "Id":"00000001-0000-4000-8000-000000000001"},
                 "Endpoints":[{"Kind":1,"Address":"http://10.0.0.1:80"},{"Kind":"Stateless","Address":""}],
                 "Version":"v1","Extra":{"ignored":true}}""");
    assertThat(stateless.partition()).isInstanceOf(PartitionInfo.Singleton.class);
    assertThat(stateless.instances()).hasSize(2);
    assertThat(stateless.instances().get(0).addresses().raw()).contains("http://10.0.0.1:80");
    assertThat(stateless.instances().get(1).addresses().isEmpty()).isTrue();
    assertThat(stateless.primary()).isEmpty();

    ResolvedServicePartition named =
        ResolvedServicePartition.parse(
            """
                {"Name":"fabric:/App/Cart","PartitionInformation":{"ServicePartitionKind":"Named",
                 "Id":"00000002-0000-4000-8000-000000000002","Name":"west"},
                 "Endpoints":[{"Kind":"2","Address":"{}"},{"Kind":3,"Address":"{}"},{"Kind":3,"Address":"{}"}]}""");
    assertThat(named.partition())
        .isEqualTo(new PartitionInfo.Named("00000002-0000-4000-8000-000000000002", "west"));
    assertThat(named.primary()).isPresent();
    assertThat(named.secondaries()).hasSize(2);
    assertThat(named.version()).isEmpty();
  }

  @Test
  void acceptsInt64KeysAsNumbersToo() {
    ResolvedServicePartition r =
        ResolvedServicePartition.parse(
            """
                {"Name":"fabric:/A/B","PartitionInformation":{"ServicePartitionKind":"Int64Range",
                 "Id":"00000001-0000-4000-8000-000000000001","LowKey":-9223372036854775808,"HighKey":"9223372036854775807"}}""");
    assertThat(r.partition())
        .isEqualTo(
            new PartitionInfo.Int64Range(
                "00000001-0000-4000-8000-000000000001", Long.MIN_VALUE, Long.MAX_VALUE));
    assertThat(r.endpoints()).isEmpty();
  }

  @Test
  void reportsBadFieldsByPath() {
    assertFormatError("{\"PartitionInformation\":{}}", "Name", "is missing");
    assertFormatError(
        "{\"Name\":\"fabric:/App\",\"PartitionInformation\":{}}", "Name", "a service name");
    assertFormatError("{\"Name\":\"fabric:/A/B\"}", "PartitionInformation", "is missing");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Hash\",\"Id\":\"x\"}}",
        "PartitionInformation.ServicePartitionKind",
        "Unknown partition kind \"Hash\"");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Singleton\",\"Id\":\"x\"}}",
        "PartitionInformation.Id",
        "is not a GUID");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Int64Range\","
            + "\"Id\":\"00000001-0000-4000-8000-000000000001\",\"LowKey\":\"abc\",\"HighKey\":\"1\"}}",
        "PartitionInformation.LowKey",
        "\"abc\" is not a 64-bit integer");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Int64Range\","
            + "\"Id\":\"00000001-0000-4000-8000-000000000001\",\"LowKey\":\"5\"}}",
        "PartitionInformation.HighKey",
        "is missing");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Int64Range\","
            + "\"Id\":\"00000001-0000-4000-8000-000000000001\",\"LowKey\":\"5\",\"HighKey\":\"4\"}}",
        "PartitionInformation.HighKey",
        "greater than high key");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\",\"PartitionInformation\":{\"ServicePartitionKind\":\"Named\","
            + "\"Id\":\"00000001-0000-4000-8000-000000000001\"}}",
        "PartitionInformation.Name",
        "is missing");
    String singleton =
        "\"PartitionInformation\":{\"ServicePartitionKind\":\"Singleton\",\"Id\":\"00000001-0000-4000-8000-000000000001\"}";
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\","
            + singleton
            + ",\"Endpoints\":[{\"Kind\":\"Primary\",\"Address\":\"\"}]}",
        "Endpoints[0].Kind",
        "Unknown endpoint kind \"Primary\"");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\","
            + singleton
            + ",\"Endpoints\":[{\"Kind\":1,\"Address\":\"\"},{\"Kind\":1}]}",
        "Endpoints[1].Address",
        "is missing");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\","
            + singleton
            + ",\"Endpoints\":[{\"Kind\":4294967298,\"Address\":\"\"}]}",
        "Endpoints[0].Kind",
        "Unknown endpoint kind 4294967298");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\","
            + singleton
            + ",\"Endpoints\":[{\"Kind\":0,\"Address\":\"\"}]}",
        "Endpoints[0].Kind",
        "Unknown endpoint kind 0");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\"," + singleton + ",\"Endpoints\":[\"x\"]}",
        "Endpoints[0]",
        "expected an object");
    assertFormatError(
        "{\"Name\":\"fabric:/A/B\"," + singleton + ",\"Version\":7}",
        "Version",
        "expected a string");
    assertFormatError("not json", "", "expected a JSON object");
  }

  private static void assertFormatError(String json, String field, String problem) {
    assertThatThrownBy(() -> ResolvedServicePartition.parse(json))
        .as(json)
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.problem()).contains(problem);
              assertThat(e.getMessage()).startsWith(field.isEmpty() ? "expected" : field + ": ");
            });
  }
}
