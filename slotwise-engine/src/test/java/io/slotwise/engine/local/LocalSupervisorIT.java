package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSupervisorIT {
  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  /**
   * Persistence is off (the test clusters' default): a primary that crashes comes back with its
   * {@code nodes.conf} but no keys. Restarted as the owner of its slots, its replica would copy the
   * empty data set. The supervisor keeps it stopped until the replica took over, then it rejoins as
   * a new, empty replica and every key is still served.
   */
  @Test
  void primaryThatLostItsDataRejoinsAsAReplicaAndNoKeyIsLost() throws Exception {
    loseDataAndRejoin(true, false);
  }

  /** The whole data directory of a primary is gone, nodes.conf with it. */
  @Test
  void primaryWhoseDataDirectoryIsGoneRejoinsAsAReplica() throws Exception {
    loseDataAndRejoin(true, true);
  }

  /** A replica whose directory is gone comes back as a new replica; its old id is forgotten. */
  @Test
  void replicaWhoseDataDirectoryIsGoneRejoinsAsANewReplica() throws Exception {
    loseDataAndRejoin(false, true);
  }

  private void loseDataAndRejoin(boolean primaryVictim, boolean wholeDirectory) throws Exception {
    LocalCluster c = TestClusters.start(home, 3, 1);
    try (ClusterData data = new ClusterData(c.addresses().get(0))) {
      data.write("k", 3000, 16);
      NodeReport primary = c.observe().slotOwners().get(0);
      await("replicas in sync")
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                ClusterView v = c.observe();
                return v.slotOwners().stream()
                    .allMatch(
                        p ->
                            p.keys() > 0
                                && v.replicasOf(p.id()).stream()
                                    .allMatch(r -> r.keys() == p.keys()));
              });
      NodeReport victimReport =
          primaryVictim ? primary : c.observe().replicasOf(primary.id()).get(0);
      String oldId = victimReport.id();
      RedisProcess victim = c.node(victimReport.address()).orElseThrow();

      victim.crash();
      if (wholeDirectory) {
        LocalCluster.deleteTree(victim.dir());
      } else {
        Files.deleteIfExists(victim.dir().resolve("dump.rdb"));
      }

      // Before any failover: it must not come back as the owner of its slots.
      c.superviseOnce();
      if (victim.alive()) {
        assertThat(c.observer().report(victim.address()).self().slots().isEmpty()).isTrue();
      }

      await("the node rejoined as a replica")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                c.superviseOnce();
                if (!victim.alive()) {
                  return false;
                }
                NodeReport r = c.observer().report(victim.address());
                return r.reachable() && r.self().replica() && r.replicationLinkUp();
              });
      NodeReport back = c.observer().report(victim.address());
      assertThat(back.self().slots().isEmpty()).isTrue();
      assertThat(back.id()).isNotEqualTo(oldId);
      c.awaitHealthy();
      ClusterView v = c.observe();
      assertThat(v.knownIds()).doesNotContain(oldId);
      assertThat(v.reachable()).hasSize(6);
      assertThat(data.missing("k", 3000, 16)).isEmpty();
    } finally {
      c.destroy();
      c.close();
    }
  }
}
