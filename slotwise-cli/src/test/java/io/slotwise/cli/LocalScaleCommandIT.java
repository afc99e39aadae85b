package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotwise local scale} on a detached cluster whose supervisor keeps running: the scale
 * converges through the engine's step while the supervisor stays out of its way, no key is lost.
 */
class LocalScaleCommandIT {
  @TempDir Path home;

  @AfterEach
  void stop() {
    CommandRun.of("local", "down", "--dir", home.toString(), "--name", "s");
    Leftovers.kill(home);
  }

  private CommandRun local(String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("local"));
    all.addAll(java.util.List.of(args));
    all.addAll(java.util.List.of("--dir", home.toString(), "--name", "s"));
    return CommandRun.of(all);
  }

  @Test
  void scaleOutAndInWithTheSupervisorRunning() throws Exception {
    CommandRun up = local("up", "--detach", "--port", "0", "--replicas", "1");
    assertThat(up.exitCode()).as(up.err()).isZero();
    Properties state = new Properties();
    try (var r = Files.newBufferedReader(home.resolve("s").resolve("cluster.properties"))) {
      state.load(r);
    }
    NodeAddress seed = NodeAddress.parse(state.getProperty("node.0.address"));
    try (ClusterData data = new ClusterData(seed)) {
      data.write("k", 5_000, 50);

      CommandRun out = local("scale", "--shards", "4");
      assertThat(out.exitCode()).as(out.err()).isZero();
      assertThat(out.out()).contains("scaling 's' from 3x1 to 4x1").contains("moved 4096 slots");
      assertThat(out.out().lines().filter(l -> l.contains(" primary ")).count()).isEqualTo(4);

      CommandRun in = local("scale", "--shards", "3");
      assertThat(in.exitCode()).as(in.err()).isZero();
      assertThat(in.out().lines().filter(l -> l.contains(" primary ")).count()).isEqualTo(3);

      CommandRun status = local("status");
      assertThat(status.out()).contains("6 of 6 processes running, supervisor pid ");
      assertThat(data.missing("k", 5_000, 50)).isEmpty();
    }
  }
}
