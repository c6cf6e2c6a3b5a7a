package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds {@code promtool} and {@code prometheus} (Debian package {@code prometheus}). Missing tools
 * fail the test, with the way out: CI installs them, and a developer runs the same script.
 */
final class PrometheusTools {

  private PrometheusTools() {}

  static Path require(String name) {
    String path =
        System.getenv().getOrDefault("PATH", "")
            + File.pathSeparator
            + "/usr/bin"
            + File.pathSeparator
            + "/usr/local/bin";
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail(
        "'"
            + name
            + "' is not installed: run scripts/install-test-tools.sh (as root; it installs the Debian"
            + " package 'prometheus', which CI installs before the tests)");
  }

  /**
   * Runs {@code promtool check metrics} on {@code text} (the Prometheus text format; OpenMetrics is
   * left to a real server), from a file in {@code dir}, and fails the test with promtool's words
   * unless it accepts it.
   *
   * @return what promtool printed
   */
  static String checkMetrics(String text, Path dir) throws IOException, InterruptedException {
    Path promtool = require("promtool");
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, text);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(p.exitValue()).as("promtool check metrics said:%n%s", out).isZero();
    return out;
  }
}
