package dev.portico.gateway.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsConfig;
import dev.portico.gateway.config.UpstreamConfig;
import dev.portico.gateway.document.SchemaTree;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shortcuts {@link SectionReader} takes at scale give what binding each section on its own
 * gave: an absent section binds to the schema's defaults once and is shared only when its record
 * cannot change; a present one still binds (and reports) on its own.
 */
class SectionReaderTest {

  private final Problems found = new Problems(Map.of());
  private final SectionReader reader = new SectionReader(ConfigSchema.TREE, found);

  /** The problems reported so far, as "path: reason". */
  private List<String> problems() {
    return found.list().stream().map(p -> p.path() + ": " + p.reason()).toList();
  }

  /** A list component makes a record changeable by whoever holds it. */
  record WithList(List<String> names) {}

  @Test
  void anAbsentSectionBindsToTheSchemasDefaultsSharedAcrossEntries() {
    Timeouts first = reader.bind(new JsonObject(), "backends[0].timeouts", Timeouts.class);
    Timeouts second = reader.bind(new JsonObject(), "backends[1].timeouts", Timeouts.class);
    assertThat(first).isEqualTo(Timeouts.DEFAULT).isSameAs(second);
    // as a reader that never bound it before (no shortcut) gives it
    Timeouts fresh =
        new SectionReader(ConfigSchema.TREE, new Problems(Map.of()))
            .bind(new JsonObject(), "backends[7].timeouts", Timeouts.class);
    assertThat(fresh).isEqualTo(first);
    TlsConfig tls = reader.bind(new JsonObject(), "backends[0].tls", TlsConfig.class);
    assertThat(tls).isEqualTo(reader.bind(new JsonObject(), "backends[2].tls", TlsConfig.class));
    assertThat(problems()).isEmpty();
  }

  @Test
  void aPresentSectionStillBindsAndReportsOnItsOwn() {
    reader.bind(new JsonObject(), "backends[0].timeouts", Timeouts.class);
    Timeouts set =
        reader.bind(
            new JsonObject().put("connect", "PT2S"), "backends[1].timeouts", Timeouts.class);
    assertThat(set).isEqualTo(new Timeouts(Duration.ofSeconds(2), Timeouts.DEFAULT.response()));
    Timeouts wrong =
        reader.bind(
            new JsonObject().put("connect", "two seconds"), "backends[2].timeouts", Timeouts.class);
    assertThat(wrong).isEqualTo(Timeouts.DEFAULT);
    assertThat(problems())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("backends[2].timeouts.connect: ");
  }

  @Test
  void anEqualSectionBindsOnceButAProblemIsReportedAtEachPath() {
    JsonObject twoSeconds = new JsonObject().put("connect", "PT2S");
    Timeouts first = reader.bind(twoSeconds, "backends[1].timeouts", Timeouts.class);
    Timeouts second = reader.bind(twoSeconds.copy(), "backends[2].timeouts", Timeouts.class);
    assertThat(second).isSameAs(first);
    assertThat(first).isEqualTo(new Timeouts(Duration.ofSeconds(2), Timeouts.DEFAULT.response()));
    JsonObject wrong = new JsonObject().put("connect", "two seconds");
    reader.bind(wrong, "backends[3].timeouts", Timeouts.class);
    reader.bind(wrong.copy(), "backends[4].timeouts", Timeouts.class);
    assertThat(problems())
        .hasSize(2)
        .satisfiesExactly(
            p -> assertThat(p).startsWith("backends[3].timeouts.connect: "),
            p -> assertThat(p).startsWith("backends[4].timeouts.connect: "));
  }

  @Test
  void sectionsEqualAsJsonAreSharedAndBindAsEachWouldAlone() {
    // Vert.x's JsonObject compares numbers by value: 2 and 2.0 are one section to the reader
    JsonObject whole = new JsonObject().put("maxConnectionsPerEndpoint", 2);
    JsonObject decimal = new JsonObject().put("maxConnectionsPerEndpoint", 2.0);
    UpstreamConfig bound = reader.bind(whole, "upstream", UpstreamConfig.class);
    assertThat(reader.bind(decimal, "upstream", UpstreamConfig.class)).isSameAs(bound);
    // which is right only because the decimal, bound alone, gives the same
    UpstreamConfig alone =
        new SectionReader(ConfigSchema.TREE, new Problems(Map.of()))
            .bind(decimal, "upstream", UpstreamConfig.class);
    assertThat(alone).isEqualTo(bound);
    assertThat(bound.maxConnectionsPerEndpoint()).isEqualTo(2);
  }

  @Test
  void onlyRecordsOfUnchangeableValuesAreShared() {
    assertThat(SectionReader.Immutable.of(Timeouts.class)).isTrue();
    assertThat(SectionReader.Immutable.of(TlsConfig.class)).isTrue();
    assertThat(SectionReader.Immutable.of(WithList.class)).isFalse();
    assertThat(SectionReader.Immutable.of(JsonObject.class)).isFalse();
  }

  @Test
  void theSchemasAnswersAreWorkedOutOnceAndCannotBeChanged() {
    SchemaTree tree = SchemaTree.of(ConfigSchema.RESOURCE);
    SchemaTree.Location timeouts = tree.at("backends[].timeouts").orElseThrow();
    assertThat(tree.at("backends[].timeouts")).containsSame(timeouts);
    assertThat(timeouts.properties()).containsKeys("connect", "response");
    assertThat(timeouts.properties()).isSameAs(timeouts.properties());
    assertThat(tree.at("backends").orElseThrow().items())
        .containsSame(tree.at("backends").orElseThrow().items().orElseThrow());
    assertThat(tree.at("no.such.field")).isEmpty();
    assertThatThrownBy(() -> timeouts.properties().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aFieldPathsSchemaPathDropsEveryIndexAsTheRegularExpressionDid() {
    java.util.regex.Pattern index = java.util.regex.Pattern.compile("\\[\\d+]");
    for (String at :
        List.of(
            "",
            "gateway",
            "backends[2].timeouts",
            "apis[12].policies[0].config",
            "registry.instances[49999]",
            "a[]",
            "a[x]",
            "a[[1]",
            "a[1",
            "a[1]]",
            "a[12b]",
            "[3]",
            "x[",
            "a[0][1].b")) {
      assertThat(SectionReader.schemaPath(at)).as(at).isEqualTo(index.matcher(at).replaceAll("[]"));
    }
  }

  @Test
  void bindFieldsTakesOnlyTheRecordsFields() {
    record Status(String status) {}
    Status s =
        reader.bindFields(
            new JsonObject().put("status", "DOWN").put("url", "http://x"),
            "registry.instances[3]",
            Status.class);
    assertThat(s).isEqualTo(new Status("DOWN"));
    assertThat(
            reader
                .bindFields(
                    new JsonObject().put("url", "http://x"), "registry.instances[4]", Status.class)
                .status())
        .isEqualTo("UP");
    assertThat(problems()).isEmpty();
  }
}
