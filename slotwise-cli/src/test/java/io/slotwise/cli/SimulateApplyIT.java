package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.operator.sim.SimulatedOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotwise operator --simulate apply FILE}, the fallback for kubectl, against a simulation
 * started as {@code --simulate} starts it; and the lines {@code --simulate} prints.
 */
class SimulateApplyIT {
  @Test
  void appliesToTheRunningSimulationAndPrintsHowToUseIt(@TempDir Path dir) throws Exception {
    Path simDir = dir.resolve("sim");
    try (SimulatedOperator sim = SimulatedOperator.start(simDir)) {
      List<String> help = OperatorCommand.simulationHelp(sim, simDir, true);
      assertThat(String.join("\n", help))
          .contains(
              "kubeconfig: " + sim.kubeconfig(),
              "export KUBECONFIG=" + sim.kubeconfig(),
              "kubectl apply -f examples/minimal.yaml",
              "kubectl get rc -w",
              "kubectl get pods -o wide",
              "kubectl describe rc minimal",
              "redis-cli -c -h POD_IP -p " + sim.redisPort(),
              "slotwise operator --simulate --dir " + simDir + " apply examples/minimal.yaml");
      assertThat(help).noneMatch(l -> l.contains("-a "));

      Path file =
          Files.writeString(
              dir.resolve("two.yaml"),
              String.join(
                  "\n",
                  "apiVersion: slotwise.io/v1alpha1",
                  "kind: RedisCluster",
                  "metadata:",
                  "  name: first",
                  "spec:",
                  "  shards: 3",
                  "---",
                  "apiVersion: v1",
                  "kind: ConfigMap",
                  "metadata:",
                  "  name: notes",
                  "  namespace: other",
                  "data:",
                  "  a: b",
                  ""));
      CommandRun run =
          CommandRun.of(
              "operator", "--simulate", "--dir", simDir.toString(), "apply", file.toString());
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out().lines())
          .containsExactly("rediscluster.slotwise.io/first created", "configmap/notes created");

      CommandRun again =
          CommandRun.of(
              "operator", "--simulate", "--dir", simDir.toString(), "apply", file.toString());
      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(again.out().lines())
          .containsExactly(
              "rediscluster.slotwise.io/first configured", "configmap/notes configured");

      GenericKubernetesResource rc =
          sim.simulation()
              .client()
              .genericKubernetesResources("slotwise.io/v1alpha1", "RedisCluster")
              .inNamespace("default")
              .withName("first")
              .get();
      assertThat(rc).isNotNull();
      assertThat(
              sim.simulation().client().configMaps().inNamespace("other").withName("notes").get())
          .isNotNull();

      CommandRun second = CommandRun.of("operator", "--simulate", "--dir", simDir.toString());
      assertThat(second.exitCode()).isEqualTo(1);
      assertThat(second.errLines())
          .singleElement()
          .asString()
          .startsWith("error: a simulation already runs in " + simDir);
    } finally {
      assertThat(Leftovers.under(dir)).as("processes left behind").isEmpty();
      Leftovers.kill(dir);
    }
  }
}
