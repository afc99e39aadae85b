package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

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

  @Test
  void helpNamesTheOptions() {
    CommandRun run = CommandRun.of("operator", "--help");
    assertThat(run.out()).contains("--namespace", "--http-port", "leader-election", "--lease-name");
  }
}
