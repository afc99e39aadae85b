package io.slotwise.engine.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A primary dies during or right after a migration and its replica takes over: no key is lost. */
class MigrationFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationFailoverIT.class);
  private static final int KEYS = 20_000;

  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  private NodeAddress seed(NodeReport avoid) {
    return cluster.addresses().stream()
        .filter(a -> !a.equals(avoid.address()))
        .findFirst()
        .orElseThrow();
  }

  private Rebalancer rebalancer() {
    return new Rebalancer(
        cluster.admin(),
        cluster.observer(),
        Waiter.standard(),
        SlotMigrator.Options.defaults(),
        new MigrationListener() {
          @Override
          public void warning(String message) {
            LOG.info("warning: {}", message);
          }
        },
        LOG::info);
  }

  /** Crashes a primary and waits until its replica owns the primary's slots. */
  private NodeReport crashAndAwaitHeir(NodeReport primary, NodeAddress seed) {
    NodeReport heir = cluster.observe().replicasOf(primary.id()).get(0);
    var slots = cluster.observer().report(primary.address()).self().slots();
    cluster.node(primary.address()).orElseThrow().crash();
    await("for " + heir.address() + " to take over")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.observer().report(heir.address()).self().slots().equals(slots));
    // The failover is over once every live node has heard of it (a rerun before that finds a
    // source that still takes the heir for a replica and refuses to migrate to it).
    await("for every node to see " + heir.address() + " as a primary")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                cluster.observe().reachable().stream()
                    .allMatch(r -> r.about(heir.id()).map(rec -> rec.primary()).orElse(true)));
    return cluster.observer().report(heir.address());
  }

  @Test
  void theTargetsReplicaHasEveryKeyTheMomentARebalanceReturns() {
    cluster = TestClusters.start(home, 3, 1);
    try (ClusterData data = new ClusterData(cluster.addresses().get(0))) {
      data.write("r", KEYS, 200);
      ClusterView view = cluster.observe();
      NodeReport source = view.slotOwners().get(0);
      NodeReport target = view.slotOwners().get(1);
      rebalancer().reshard(seed(target), List.of(source.id()), target.id(), 3000, false);
      // No waiting of our own: the target dies at once, before it could replicate anything more.
      crashAndAwaitHeir(target, seed(target));
    }
    try (ClusterData after = new ClusterData(cluster.observe().slotOwners().get(0).address())) {
      assertThat(after.missing("r", KEYS, 200)).isEmpty();
    }
  }

  @Test
  void aTargetThatDiesMidMigrationIsReplacedByItsHeirAndARerunSettlesEverySlot() {
    cluster = TestClusters.start(home, 3, 1);
    try (ClusterData data = new ClusterData(cluster.addresses().get(0))) {
      data.write("t", KEYS, 100);
      ClusterView view = cluster.observe();
      NodeReport src = view.slotOwners().get(0);
      NodeReport dst = view.slotOwners().get(1);
      interruptedMove(src, dst);
      crashAndAwaitHeir(dst, seed(dst));
      rerunSettles(seed(dst));
    }
    try (ClusterData after = new ClusterData(cluster.observe().slotOwners().get(0).address())) {
      assertThat(after.missing("t", KEYS, 100)).isEmpty();
    }
  }

  @Test
  void aSourceThatDiesMidMigrationIsReplacedByItsHeirAndARerunSettlesEverySlot() {
    cluster = TestClusters.start(home, 3, 1);
    try (ClusterData data = new ClusterData(cluster.addresses().get(0))) {
      data.write("s", KEYS, 100);
      ClusterView view = cluster.observe();
      NodeReport src = view.slotOwners().get(0);
      NodeReport dst = view.slotOwners().get(1);
      interruptedMove(src, dst);
      crashAndAwaitHeir(src, seed(src));
      rerunSettles(seed(src));
    }
    try (ClusterData after = new ClusterData(cluster.observe().slotOwners().get(0).address())) {
      assertThat(after.missing("s", KEYS, 100)).isEmpty();
    }
  }

  /** Stops a migration abruptly while slots are open, as a killed process would. */
  private void interruptedMove(NodeReport src, NodeReport dst) {
    MigrationListener crashing =
        new MigrationListener() {
          long moved;

          @Override
          public void moved(long keys, long bytes) {
            moved += keys;
            if (moved > 100) {
              throw new RebalanceIT.SimulatedCrash();
            }
          }
        };
    List<SlotMove> moves =
        Arrays.stream(src.self().slots().first(200).toArray())
            .mapToObj(s -> new SlotMove(s, src.id(), src.address(), dst.id(), dst.address()))
            .toList();
    assertThatThrownBy(
            () ->
                new SlotMigrator(
                        cluster.admin(),
                        new SlotMigrator.Options(64, 50, 4096, 50, 1, 1, 1),
                        crashing)
                    .migrate(moves, cluster.addresses()))
        .isInstanceOf(MigrationException.class);
    assertThat(cluster.observe().openSlots()).isNotEmpty();
  }

  /** A rerun finishes the open moves; the dead node is then the only thing left to fix. */
  private void rerunSettles(NodeAddress seed) {
    try {
      rebalancer()
          .rebalance(
              seed, new Rebalancer.Request(BalanceBy.SLOTS, 2, Map.of(), false, null, false));
    } catch (io.slotwise.engine.plan.PlanningException e) {
      // The dead primary blocks planning new moves; the open ones must be settled by now.
      assertThat(e).hasMessageContaining("healthy");
    }
    ClusterView after = cluster.observe();
    assertThat(after.openSlots()).isEmpty();
    assertThat(after.uncoveredSlots().isEmpty()).isTrue();
    assertThat(ClusterChecker.check(after))
        .allSatisfy(
            p ->
                assertThat(p.kind().name())
                    .isIn("FAILED_NODE", "UNREACHABLE_NODE", "UNEVEN_REPLICAS"));
  }
}
