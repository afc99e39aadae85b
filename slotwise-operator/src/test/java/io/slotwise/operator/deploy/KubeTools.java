package io.slotwise.operator.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the helm and kubectl binaries the deployment tests run, as scripts/ensure-kube-tools.sh
 * leaves them: the path in SLOTWISE_HELM / SLOTWISE_KUBECTL, else the tools cache (SLOTWISE_TOOLS,
 * default ~/.cache/slotwise/tools, its bin/), else the PATH.
 *
 * <p>A variable naming a missing file fails the test. A tool found nowhere skips the test with a
 * message saying how to get it, except under CI (CI set), where it fails: CI runs ./slotwise test,
 * which installs both.
 */
final class KubeTools {
  private KubeTools() {}

  static Path helm() {
    return find("helm", "SLOTWISE_HELM");
  }

  static Path kubectl() {
    return find("kubectl", "SLOTWISE_KUBECTL");
  }

  private static Path find(String tool, String variable) {
    String explicit = System.getenv(variable);
    if (explicit != null && !explicit.isBlank()) {
      Path path = Path.of(explicit);
      if (!Files.isExecutable(path)) {
        fail(variable + "=" + explicit + " is not an executable file");
      }
      return path;
    }
    Path cached = toolsDir().resolve("bin").resolve(tool);
    if (Files.isExecutable(cached)) {
      return cached;
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        Path candidate = Path.of(dir).resolve(tool);
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message =
        tool
            + " not found ("
            + variable
            + " unset, nothing at "
            + cached
            + " nor on the PATH): run the tests with ./slotwise test, which installs it,"
            + " or set "
            + variable;
    if (System.getenv("CI") != null) {
      fail(message);
    }
    Assumptions.abort(message);
    throw new AssertionError(message);
  }

  private static Path toolsDir() {
    String tools = System.getenv("SLOTWISE_TOOLS");
    if (tools != null && !tools.isBlank()) {
      return Path.of(tools);
    }
    String home = System.getenv("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".cache", "slotwise", "tools");
  }
}
