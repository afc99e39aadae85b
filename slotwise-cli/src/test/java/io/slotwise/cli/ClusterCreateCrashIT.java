package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.execute.StopAfterLowering;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotwise cluster create} killed with SIGKILL right after it lowered {@code
 * cluster-node-timeout} on the fresh nodes: the next command on those nodes (here the same create
 * again) first puts the original values back, so they are not lowered for good.
 */
class ClusterCreateCrashIT {
  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  @Test
  void nextCommandPutsBackWhatAKilledCreateLowered() throws Exception {
    Path slotwiseHome = home.resolve("slotwise-home");
    try (FreshNodes nodes = FreshNodes.start(home.resolve("nodes"), 3)) {
      List<String> create = new ArrayList<>(List.of("cluster", "create"));
      create.addAll(nodes.args());

      List<String> first = new ArrayList<>(List.of(StopAfterLowering.class.getName(), "3"));
      first.add(Main.class.getName());
      first.addAll(create);
      Process killed = java(slotwiseHome, first);
      try {
        assertThat(awaitMarker(killed)).as("the first create lowered the timeouts").isTrue();
        killed.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook
        killed.waitFor(10, TimeUnit.SECONDS);
      } finally {
        killed.destroyForcibly();
      }
      try (RedisAdmin admin = new RedisAdmin(Credentials.password(null))) {
        for (NodeAddress a : nodes.addresses()) {
          assertThat(nodeTimeout(admin, a)).as("lowered when killed").isEqualTo("1000");
        }

        List<String> again = new ArrayList<>(List.of(Main.class.getName()));
        again.addAll(create);
        Process second = java(slotwiseHome, again);
        String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(out).isZero();
        assertThat(out).contains("put back cluster-node-timeout");
        for (NodeAddress a : nodes.addresses()) {
          assertThat(nodeTimeout(admin, a))
              .isEqualTo(Integer.toString(TestClusters.NODE_TIMEOUT_MILLIS));
        }
      }
      assertThat(slotwiseHome.resolve("temporary-config"))
          .as("nothing left recorded")
          .doesNotExist();
    }
  }

  private static Process java(Path slotwiseHome, List<String> mainAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SLOTWISE_HOME", slotwiseHome.toString());
    return pb.start();
  }

  private static boolean awaitMarker(Process p) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.contains(StopAfterLowering.MARKER)) {
                    return true;
                  }
                }
                return false;
              } catch (java.io.IOException e) {
                return false;
              }
            })
        .get(60, TimeUnit.SECONDS);
  }

  private static String nodeTimeout(RedisAdmin admin, NodeAddress a) {
    return admin.node(a).configGet("cluster-node-timeout").get("cluster-node-timeout");
  }
}
