package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
