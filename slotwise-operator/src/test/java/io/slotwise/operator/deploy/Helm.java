package io.slotwise.operator.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real helm binary on the repository's chart. */
final class Helm {
  /** The release name and namespace deploy/slotwise.yaml is rendered with. */
  static final String RELEASE = "slotwise";

  static final String NAMESPACE = "slotwise-system";

  private static final long TIMEOUT_SECONDS = 120;

  private Helm() {}

  /** What one helm run printed and how it exited. */
  record Result(int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** helm template with the given namespace and extra arguments; fails the test on an error. */
  static String template(String namespace, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("template");
    args.add(RELEASE);
    args.add(RepositoryFiles.chart().toString());
    args.add("--namespace");
    args.add(namespace);
    args.addAll(List.of(extra));
    Result result = run(args);
    if (!result.ok()) {
      throw new AssertionError("helm " + String.join(" ", args) + " failed:\n" + result.stderr());
    }
    return result.stdout();
  }

  static Result run(List<String> args) {
    Path helm = KubeTools.helm();
    try {
      // helm's own caches and settings go under target/, never the user's home.
      Path home = Path.of(System.getProperty("user.dir"), "target", "helm-home");
      Files.createDirectories(home);
      Path out = Files.createTempFile(home, "helm", ".out");
      Path err = Files.createTempFile(home, "helm", ".err");
      List<String> command = new ArrayList<>();
      command.add(helm.toString());
      command.addAll(args);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(RepositoryFiles.root().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      builder.environment().remove("KUBECONFIG");
      Process process = builder.start();
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError(
              "helm " + String.join(" ", args) + " ran over " + TIMEOUT_SECONDS + " s");
        }
      } finally {
        process.destroyForcibly();
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while helm ran", e);
    }
  }
}
