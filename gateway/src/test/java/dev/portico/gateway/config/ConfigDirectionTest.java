package dev.portico.gateway.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The configuration's place in the package graph, read from the import statements of the gateway's
 * sources: {@code config} (with its {@code internal}) imports only the leaves below it, none of
 * which imports it back, and nothing outside {@code config} reaches into {@code config.internal}.
 */
class ConfigDirectionTest {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final String GATEWAY = "dev.portico.gateway.";
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.portico\\.[\\w.]+?)\\.[A-Z]\\w*[\\w.]*;",
    Pattern.MULTILINE);
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  /** What the configuration may import besides itself: leaf packages of the gateway, and the discovery and adapter modules. */
  private static final List<String> BELOW_CONFIG = List.of(GATEWAY + "document", GATEWAY + "expression", GATEWAY + "problem",
    GATEWAY + "openapi", GATEWAY + "policy.config", "dev.portico.discovery", "dev.portico.fabric");

  @Test
  void configImportsOnlyTheLeavesBelowIt() {
    Map<String, Set<String>> graph = packageGraph();
    List<String> wrong = new ArrayList<>();
    graph.forEach((from, targets) -> {
      if (isConfig(from)) {
        targets.stream().filter(t -> !isConfig(t) && BELOW_CONFIG.stream().noneMatch(b -> within(t, b)))
          .forEach(t -> wrong.add(from + " -> " + t));
      }
    });
    assertThat(wrong).as("config imports a package above it").isEmpty();
  }

  @Test
  void theLeavesBelowConfigNeverReachBackUp() {
    Map<String, Set<String>> graph = packageGraph();
    List<String> wrong = new ArrayList<>();
    graph.forEach((from, targets) -> {
      if (from.startsWith(GATEWAY) && BELOW_CONFIG.stream().anyMatch(b -> within(from, b))) {
        targets.stream().filter(t -> t.startsWith(GATEWAY) && BELOW_CONFIG.stream().noneMatch(b -> within(t, b)))
          .forEach(t -> wrong.add(from + " -> " + t));
      }
    });
    assertThat(wrong).as("a leaf below config imports a package above the leaves (a cycle through config)").isEmpty();
  }

  @Test
  void configInternalsStayInside() {
    List<String> wrong = new ArrayList<>();
    packageGraph().forEach((from, targets) -> {
      if (!isConfig(from) && targets.contains(GATEWAY + "config.internal")) {
        wrong.add(from);
      }
    });
    assertThat(wrong).as("packages importing config.internal").isEmpty();
  }

  private static boolean isConfig(String pkg) {
    return within(pkg, GATEWAY + "config");
  }

  private static boolean within(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  /** Package to the packages its sources import (same-package imports left out). */
  static Map<String, Set<String>> packageGraph() {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String src = Files.readString(f);
        Matcher pm = PACKAGE.matcher(src);
        if (!pm.find()) {
          continue;
        }
        String pkg = pm.group(1);
        Set<String> targets = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher im = IMPORT.matcher(src);
        while (im.find()) {
          if (!im.group(1).equals(pkg)) {
            targets.add(im.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(graph).as("sources under " + SOURCES.toAbsolutePath()).containsKey(GATEWAY + "config");
    return graph;
  }
}
