package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local scale} runs through the convergence step, so it picks up where a crash left off. */
class LocalScaleIT {
  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    try {
      if (cluster != null) {
        cluster.destroy();
        cluster.close();
      }
    } finally {
      Leftovers.kill(home);
    }
  }

  @Test
  void aScaleInterruptedAfterStartingANodeUsesThatNodeWhenRunAgain() throws Exception {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(cluster.addresses().get(0))) {
      data.write("k", 5_000, 50);
      // A scale killed right after it started the new node: recorded and running, not a member.
      RedisProcess started = cluster.startNewNode();

      var outcome = cluster.scale(4, 0, SlotMigrator.Options.defaults(), MigrationListener.NONE);

      assertThat(outcome.result().slots()).isEqualTo(4096);
      assertThat(cluster.nodes()).hasSize(4);
      ClusterView view = cluster.observe();
      assertThat(view.slotOwners()).hasSize(4);
      assertThat(view.node(cluster.observer().report(started.address()).id()))
          .get()
          .satisfies(n -> assertThat(n.self().slots().size()).isEqualTo(4096));
      assertThat(ClusterChecker.check(view)).isEmpty();
      assertThat(data.missing("k", 5_000, 50)).isEmpty();
      assertThat(cluster.spec().shards()).isEqualTo(4);
      LocalCluster reopened = LocalCluster.open(home, cluster.spec().name(), l -> {}).orElseThrow();
      try {
        assertThat(reopened.spec().shards()).as("recorded shape").isEqualTo(4);
      } finally {
        reopened.close();
      }
    }
  }

  @Test
  void replicasPerShardGoUpAndDown() throws Exception {
    cluster = TestClusters.start(home, 3, 1);
    cluster.scale(3, 2, SlotMigrator.Options.defaults(), MigrationListener.NONE);
    ClusterView up = cluster.observe();
    assertThat(up.reachable()).hasSize(9);
    up.slotOwners().forEach(p -> assertThat(up.replicasOf(p.id())).hasSize(2));

    var outcome = cluster.scale(3, 0, SlotMigrator.Options.defaults(), MigrationListener.NONE);

    assertThat(outcome).as("no slot moved").isNull();
    ClusterView down = cluster.observe();
    assertThat(down.reachable()).hasSize(3);
    assertThat(down.slotOwners()).hasSize(3);
    assertThat(ClusterChecker.check(down)).isEmpty();
    assertThat(cluster.nodes()).hasSize(3).allMatch(RedisProcess::alive);
  }

  @Test
  void theSupervisorCarriesOnAScaleWhoseProcessDied() throws Exception {
    cluster = TestClusters.start(home, 3, 0);
    // A scale killed right after it recorded the shape it was asked for.
    cluster.recordShape(4, 0);

    List<String> done = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      List<String> lines = cluster.superviseOnce();
      if (lines.isEmpty()) {
        break;
      }
      done.addAll(lines);
    }

    assertThat(done)
        .anyMatch(l -> l.startsWith("started 1 node"))
        .anyMatch(l -> l.contains("moved"));
    ClusterView view = cluster.observe();
    assertThat(view.slotOwners())
        .hasSize(4)
        .allSatisfy(p -> assertThat(p.self().slots().size()).isEqualTo(4096));
    assertThat(ClusterChecker.check(view)).isEmpty();
  }

  @Test
  void theSupervisorLeavesTheClusterToARunningScaleAndRestartsNodesAfterwards() throws Exception {
    cluster = TestClusters.startPersistent(home, 3, 0);
    RedisProcess victim = cluster.nodes().get(2);
    victim.crash();
    try (FileChannel channel =
            FileChannel.open(
                cluster.spec().clusterDir().resolve(ClusterLock.NAME),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock scaleRunning = channel.lock()) {
      assertThat(cluster.superviseOnce()).noneMatch(l -> l.contains("restarted"));
      assertThat(victim.alive()).isFalse();
    }

    List<String> done = cluster.superviseOnce();

    assertThat(done)
        .containsExactly(
            "node 2 (" + victim.address() + ") had stopped; restarted it on its data directory");
    assertThat(victim.alive()).isTrue();
    cluster.awaitHealthy();
  }

  @Test
  void aNodeThatCannotBeRestartedIsReportedBySupervision() throws Exception {
    cluster = TestClusters.startPersistent(home, 3, 0);
    RedisProcess victim = cluster.nodes().get(0);
    victim.crash();
    java.nio.file.Files.writeString(
        victim.configFile(), "no-such-directive yes\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> cluster.superviseOnce())
        .isInstanceOf(LocalClusterException.class)
        .hasMessageStartingWith("redis-server for " + victim.address() + " exited");
    assertThat(victim.alive()).isFalse();
  }
}
