package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorCommandTest {
  @Test
  void namespacesRepeatedOrCommaSeparatedAllMeansEvery() {
    assertThat(OperatorCommand.namespaces(List.of("a", "b", "a"))).containsExactly("a", "b");
    assertThat(OperatorCommand.namespaces(List.of())).isEmpty();
    assertThat(OperatorCommand.namespaces(List.of("a", "all"))).isEqualTo(Set.of());
  }

  @Test
  void aBadNamespaceIsOneLineAndStartsNothing() {
    assertThatThrownBy(() -> OperatorCommand.namespaces(List.of("Bad_NS")))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("Bad_NS");
    CommandRun run = CommandRun.of("operator", "--namespace", "Bad_NS", "--http-port", "0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1).first().asString().startsWith("error: 'Bad_NS'");
  }

  /** A usage error: exit code 2, one line on stderr that starts with "error: ", nothing started. */
  private static void usageError(String expected, String... args) {
    CommandRun run = CommandRun.of(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).startsWith("error: ").contains(expected);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void simulateArgumentErrorsAreOneLineWithExitCode2(@TempDir Path dir) {
    usageError("--dir is an option of --simulate", "operator", "--dir", dir.toString());
    usageError("apply is for a simulation", "operator", "apply", dir.resolve("x.yaml").toString());
    usageError("FILE", "operator", "--simulate", "--dir", dir.toString(), "apply");
    usageError("--bogus", "operator", "--simulate", "--bogus");
    usageError("--dir", "operator", "--simulate", "--dir");
    usageError(
        "--lease-name has no use with --simulate",
        "operator",
        "--simulate",
        "--dir",
        dir.toString(),
        "--lease-name",
        "x");
    usageError(
        "--redis-port has no use with --simulate",
        "operator",
        "--simulate",
        "--dir",
        dir.toString(),
        "--redis-port",
        "7000");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void applyWithoutARunningSimulationSaysHowToStartOne(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("rc.yaml"), "kind: RedisCluster\n");
    CommandRun run =
        CommandRun.of("operator", "--simulate", "--dir", dir.toString(), "apply", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("error: no simulation runs in " + dir)
        .contains("slotwise operator --simulate --dir " + dir);
  }

  @Test
  void helpNamesTheOptions() {
    CommandRun run = CommandRun.of("operator", "--help");
    assertThat(run.out())
        .contains(
            "--namespace", "--http-port", "leader-election", "--lease-name", "--simulate", "--dir");
  }
}
