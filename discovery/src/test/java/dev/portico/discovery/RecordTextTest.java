package dev.portico.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordText} against the way it replaces: the record built by Service Discovery's own types
 * and encoded through Vert.x JSON, for every kind of spec a configuration or the admin API gives.
 */
class RecordTextTest {

  /** What {@code Registry.publishAll} did for each record before {@link RecordText}. */
  private static Record throughServiceDiscovery(InstanceSpec spec, String id) {
    Record record = Registry.toRecord(spec);
    if (record.getStatus() == null || record.getStatus() == Status.UNKNOWN) {
      record.setStatus(Status.UP);
    }
    return record.setRegistration(id);
  }

  private static List<InstanceSpec> specs() {
    Map<String, String> awkward = new LinkedHashMap<>();
    awkward.put("zone", "eu-west-1a");
    awkward.put("quote\"and\\backslash", "tab\tnewline\nnul\u0000 del\u007f");
    awkward.put("unicode", "caf\u00e9 \u65e5\u672c \uD83D\uDE80 \u2028\u2029");
    awkward.put("", "");
    awkward.put("slash/</script>", "&amp; 'single'");
    awkward.put("weight", "3");
    List<InstanceSpec> out = new ArrayList<>();
    for (InstanceStatus status : InstanceStatus.values()) {
      out.add(new InstanceSpec("orders", "10.0.0.4", 8080, false, "", status, Map.of()));
    }
    out.add(InstanceSpec.of("orders", "https://orders.internal:8443/api/v1"));
    out.add(InstanceSpec.of("s-1.x_y", "http://[::1]:65535/a%20b/c/"));
    out.add(InstanceSpec.of("p", "http://127.0.0.1:1"));
    out.add(InstanceSpec.of("p", "http://host.example/"));
    out.add(InstanceSpec.of("meta", "http://m:81/x", InstanceStatus.DOWN, awkward));
    out.add(
        InstanceSpec.of(
            "meta",
            "https://m:82",
            InstanceStatus.OUT_OF_SERVICE,
            Map.of("sf.partition", "p1", "a", "b", "c", "d")));
    return out;
  }

  @Test
  void writesTheTextServiceDiscoveryRecordsEncodeTo() {
    for (InstanceSpec spec : specs()) {
      String id = UUID.randomUUID().toString();
      String expected = throughServiceDiscovery(spec, id).toJson().encode();
      assertThat(RecordText.encode(spec, id)).as("%s", spec).isEqualTo(expected);
    }
  }

  @Test
  void escapesGeneratedStringsAsVertxJsonDoes() {
    // every character below 0x80, then random ones from the whole UTF-16 range (lone surrogates
    // too), in service names, metadata keys and values
    java.util.Random random = new java.util.Random(13);
    StringBuilder ascii = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      ascii.append(c);
    }
    List<String> strings = new ArrayList<>(List.of(ascii.toString()));
    for (int n = 0; n < 500; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(12);
      for (int i = 0; i < length; i++) {
        s.append(
            random.nextBoolean() ? (char) random.nextInt(0x80) : (char) random.nextInt(0x10000));
      }
      strings.add(s.toString());
    }
    for (String s : strings) {
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("k", s);
      metadata.put(s, s);
      InstanceSpec spec =
          new InstanceSpec(s, "10.0.0.4", 8080, false, "", InstanceStatus.UP, metadata);
      String id = UUID.randomUUID().toString();
      String expected = throughServiceDiscovery(spec, id).toJson().encode();
      assertThat(RecordText.encode(spec, id)).isEqualTo(expected);
    }
  }

  @Test
  void givesTheInstanceItsTextDecodesTo() {
    for (InstanceSpec spec : specs()) {
      String id = UUID.randomUUID().toString();
      ServiceInstance instance = RecordText.instance(spec, id);
      assertThat(instance)
          .as("%s", spec)
          .isEqualTo(Registry.toInstance(throughServiceDiscovery(spec, id)))
          .isEqualTo(Registry.decode(RecordText.encode(spec, id)).instance());
      assertThat(instance.status()).isNotEqualTo(InstanceStatus.UNKNOWN);
    }
  }
}
