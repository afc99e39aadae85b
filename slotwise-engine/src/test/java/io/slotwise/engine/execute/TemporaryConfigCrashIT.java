package io.slotwise.engine.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Slotwise process killed with SIGKILL right after it lowered {@code cluster-node-timeout} on
 * every node of a cluster it was forming: the next run on that cluster puts the original back.
 */
class TemporaryConfigCrashIT {
  static final String LOWERED = "SLOTWISE-TEST-LOWERED";

  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  /** The child: {@code local up} of a 3x0 cluster that stops for good after the third lowering. */
  public static void main(String[] args) {
    AtomicInteger lowered = new AtomicInteger();
    int stopAfter = Integer.parseInt(args[3]);
    TemporaryConfig.afterLowerForTests =
        () -> {
          if (lowered.incrementAndGet() == stopAfter) {
            System.out.println(LOWERED);
            System.out.flush();
            while (true) {
              try {
                Thread.sleep(Long.MAX_VALUE);
              } catch (InterruptedException e) {
                // wait for the kill
              }
            }
          }
        };
    LocalCluster.up(
        new LocalClusterSpec(
            args[0],
            3,
            0,
            Path.of(args[1]),
            0,
            args[2],
            TestClusters.NODE_TIMEOUT_MILLIS,
            null,
            false),
        line -> {});
  }

  @Test
  void nextRunPutsBackTheNodeTimeoutAKilledRunLowered() throws Exception {
    LocalClusterSpec spec = TestClusters.spec(home, 3, 0);
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                TemporaryConfigCrashIT.class.getName(),
                spec.name(),
                home.toString(),
                spec.redisServer(),
                "3")
            .redirectErrorStream(true)
            .start();
    try {
      CompletableFuture<Boolean> marker =
          CompletableFuture.supplyAsync(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.contains(LOWERED)) {
                      return true;
                    }
                  }
                  return false;
                } catch (java.io.IOException e) {
                  return false;
                }
              });
      assertThat(marker.get(60, TimeUnit.SECONDS)).as("the child lowered the timeouts").isTrue();
      child.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
      child.waitFor(10, TimeUnit.SECONDS);

      List<NodeAddress> nodes = recordedAddresses(spec);
      assertThat(nodes).hasSize(3);
      try (RedisAdmin admin = new RedisAdmin(Credentials.password(null))) {
        // The kill landed while the values were lowered.
        for (NodeAddress n : nodes) {
          assertThat(nodeTimeout(admin, n)).isEqualTo("1000");
        }
        // The next run on this cluster (any command opens it) puts them back.
        try (LocalCluster next = LocalCluster.open(home, spec.name(), line -> {}).orElseThrow()) {
          for (NodeAddress n : nodes) {
            assertThat(nodeTimeout(admin, n))
                .isEqualTo(Integer.toString(TestClusters.NODE_TIMEOUT_MILLIS));
          }
          next.destroy();
        }
      }
    } finally {
      child.destroyForcibly();
    }
  }

  /** Read from the state file directly: opening the cluster would already put the values back. */
  private static List<NodeAddress> recordedAddresses(LocalClusterSpec spec) throws Exception {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(spec.clusterDir().resolve("cluster.properties"))) {
      p.load(r);
    }
    List<NodeAddress> out = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(p.getProperty("nodes")); i++) {
      out.add(NodeAddress.parse(p.getProperty("node." + i + ".address")));
    }
    return out;
  }

  private static String nodeTimeout(RedisAdmin admin, NodeAddress n) {
    return admin.node(n).configGet("cluster-node-timeout").get("cluster-node-timeout");
  }
}
