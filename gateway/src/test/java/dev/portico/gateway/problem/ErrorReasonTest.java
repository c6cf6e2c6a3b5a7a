package dev.portico.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.expression.ResolveCondition;
import dev.portico.gateway.pipeline.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The error model's reasons: one enum, the labels docs/errors.md lists, and the leaves that spell
 * them.
 */
class ErrorReasonTest {

  @Test
  void theReasonsAreTheOnesTheErrorModelDocuments() throws Exception {
    String errors = Files.readString(Path.of("../docs/errors.md"));
    Set<String> documented = new LinkedHashSet<>();
    Matcher m = Pattern.compile("^\\| [^|]+ \\| `(\\w+)` \\|", Pattern.MULTILINE).matcher(errors);
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(Arrays.stream(ErrorReason.values()).map(ErrorReason::label))
        .containsExactlyInAnyOrderElementsOf(documented);
  }

  @Test
  void labelsTypesAndLookupsAgree() {
    for (ErrorReason r : ErrorReason.values()) {
      assertThat(ErrorReason.ofLabel(r.label())).isSameAs(r);
      assertThat(r.toString()).isEqualTo(r.label());
    }
    assertThat(ErrorReason.PARTITION_RESOLUTION_FAILURE.typeUri())
        .isEqualTo("https://portico.dev/problems/partition-resolution-failure");
    assertThat(ErrorReason.ofLabel("NoSuchReason")).isNull();
    assertThat(new Failure.Timeout("x").reason()).isEqualTo("Timeout");
  }

  @Test
  void theLeavesBelowTheVocabularySpellItsLabels() {
    assertThat(CircuitBreakerConfig.DEFAULT.rules().get(0).errorReasons())
        .containsExactlyInAnyOrder(
            ErrorReason.BACKEND_CONNECTION_FAILURE.label(), ErrorReason.TIMEOUT.label());
    ResolveCondition c = ResolveCondition.parse("BackendConnectionFailure or Timeout");
    assertThat(c.matches(0, ErrorReason.BACKEND_CONNECTION_FAILURE.label())).isTrue();
    assertThat(c.matches(0, ErrorReason.TIMEOUT.label())).isTrue();
    assertThat(c.matches(0, ErrorReason.CLIENT_CONNECTION_FAILURE.label())).isFalse();
  }
}
