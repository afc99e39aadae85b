package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a running {@code slotwise cluster rebalance} at several points, each followed
 * by the same command: the job completes, no slot stays open, no key is lost.
 */
class RebalanceCrashIT {
  @TempDir Path home;
  private LocalCluster cluster;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  private Process rebalance(NodeAddress seed, File log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "cluster",
                "rebalance",
                seed.toString(),
                "--use-empty-primaries",
                "--batch-bytes",
                "2048",
                "--parallel",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .start();
    processes.add(p);
    return p;
  }

  @Test
  void killedAtSeveralPointsThenRunAgainCompletesWithoutLoss() throws Exception {
    cluster = TestClusters.start(home, 3, 0);
    NodeAddress seed = cluster.addresses().get(0);
    File log = home.resolve("rebalance.log").toFile();
    try (ClusterData data = new ClusterData(seed)) {
      data.write("crash", 30_000, 200);
      RedisProcess fresh = cluster.startNewNode();
      String newId =
          new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), line -> {})
              .add(seed, fresh.address(), null, false);

      List<Predicate<ClusterView>> killPoints =
          List.of(
              v -> !v.openSlots().isEmpty(),
              v -> owned(v, newId) >= 1000,
              v -> owned(v, newId) >= 2500);
      int killedWithOpenSlots = 0;
      for (Predicate<ClusterView> point : killPoints) {
        Process p = rebalance(seed, log);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () ->
                    !p.isAlive()
                        || point.test(cluster.observer().observeOnly(cluster.addresses())));
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
        p.waitFor(30, TimeUnit.SECONDS);
        if (!cluster.observer().observeOnly(cluster.addresses()).openSlots().isEmpty()) {
          killedWithOpenSlots++;
        }
        assertThat(data.missing("crash", 30_000, 200)).isEmpty();
      }
      assertThat(killedWithOpenSlots)
          .as("kills that struck in the middle of a slot move")
          .isGreaterThanOrEqualTo(1);

      Process last = rebalance(seed, log);
      assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(last.exitValue()).as(java.nio.file.Files.readString(log.toPath())).isZero();

      ClusterView after = cluster.observe();
      assertThat(after.openSlots()).isEmpty();
      assertThat(ClusterChecker.check(after)).isEmpty();
      assertThat(after.slotOwners())
          .hasSize(4)
          .allSatisfy(p -> assertThat(p.self().slots().size()).isEqualTo(4096));
      assertThat(data.missing("crash", 30_000, 200)).isEmpty();
    }
  }

  private static int owned(ClusterView v, String id) {
    return v.node(id).map(n -> n.self().slots().size()).orElse(0);
  }
}
