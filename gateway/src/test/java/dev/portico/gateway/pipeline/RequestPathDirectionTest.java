package dev.portico.gateway.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request path's package directions (docs/architecture.md#package-directions-gateway), read
 * from the import statements of the gateway's sources: the vocabulary and the target-source
 * interface are leaves, Service Fabric resolution sits below the routes, and the request path
 * knows Service Fabric only through its target sources (the reverse-proxy listener's own stage
 * sits on top of it).
 */
class RequestPathDirectionTest {

  private static final String G = "dev.portico.gateway.";
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.portico\\.gateway\\.[a-z.]+?)\\.[A-Z]",
    Pattern.MULTILINE);

  @Test
  void theVocabularyImportsNothingOfTheGateway() throws IOException {
    assertThat(imports(G + "problem")).isEmpty();
  }

  @Test
  void targetSourcesKnowBackendsNotRoutesNorTheRequestPath() throws IOException {
    assertThat(imports(G + "target")).contains(G + "backend").isSubsetOf(Set.of(G + "backend", G + "resilience", G + "tracing"));
  }

  @Test
  void serviceFabricResolutionSitsBelowRoutesAndTheRequestPath() throws IOException {
    assertThat(imports(G + "fabric")).doesNotContain(G + "pipeline", G + "routing", G + "state",
      G + "fabric.reverseproxy");
    assertThat(imports(G + "fabric.internal")).doesNotContain(G + "pipeline", G + "routing", G + "state");
  }

  @Test
  void theRequestPathKnowsServiceFabricOnlyThroughTargetSources() throws IOException {
    assertThat(imports(G + "pipeline")).contains(G + "target", G + "routing").doesNotContain(G + "fabric", G + "fabric.internal", G + "fabric.reverseproxy");
    assertThat(imports(G + "routing")).doesNotContain(G + "pipeline", G + "state");
    assertThat(imports(G + "state")).doesNotContain(G + "pipeline");
  }

  @Test
  void theRequestPathDoesNotImportTheServiceFabricAdapter() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/portico/gateway/pipeline"))) {
      assertThat(files.filter(f -> {
        try {
          return Files.readString(f).contains("import dev.portico.fabric.");
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).map(f -> f.getFileName().toString()).toList()).isEmpty();
    }
  }

  /** The gateway packages the sources of {@code pkg} import (itself left out). */
  private static Set<String> imports(String pkg) throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
    }
    for (Path f : sources) {
      String src = Files.readString(f);
      Matcher pm = PACKAGE.matcher(src);
      if (!pm.find()) {
        continue;
      }
      Set<String> targets = graph.computeIfAbsent(pm.group(1), k -> new TreeSet<>());
      Matcher im = IMPORT.matcher(src);
      while (im.find()) {
        targets.add(im.group(1));
      }
    }
    assertThat(graph).as("sources of package " + pkg).containsKey(pkg);
    Set<String> out = new TreeSet<>(graph.get(pkg));
    out.remove(pkg);
    return out;
  }
}
