package io.slotwise.operator.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository the deployment tests read: the chart, deploy/ and the Dockerfile. */
final class RepositoryFiles {
  private RepositoryFiles() {}

  /** The repository root: the first folder up from the working directory holding the chart. */
  static Path root() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("charts/slotwise/Chart.yaml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no charts/slotwise/Chart.yaml in " + dir + " or above");
  }

  static Path chart() {
    return root().resolve("charts/slotwise");
  }

  static Path ciValues(String name) {
    return chart().resolve("ci").resolve(name);
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
