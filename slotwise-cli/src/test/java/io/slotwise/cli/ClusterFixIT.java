package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.KeyLedger;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.SlotSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster fix}: its dry run, its exit codes, and what it says it did and did not do. */
class ClusterFixIT {
  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  /** Each node's own line (role, slots, open slots) and its key count: what fix may change. */
  private List<String> state() {
    List<String> out = new ArrayList<>();
    for (NodeReport r : cluster.observe().reachable()) {
      NodeRecord s = r.self();
      out.add(
          r.address()
              + " "
              + s.flags()
              + " "
              + s.primaryId()
              + " "
              + s.slots()
              + " "
              + s.migrating()
              + " "
              + s.importing()
              + " keys="
              + r.keys()
              + " known="
              + r.known().size());
    }
    return out;
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothingThenFixRepairsItAll() {
    cluster = TestClusters.start(home, 3, 0);
    String seed = cluster.addresses().get(0).toString();
    try (KeyLedger keys = new KeyLedger()) {
      ClusterView view = cluster.observe();
      keys.writeSpread(view, 200);
      List<NodeReport> owners = view.slotOwners();
      int slot =
          keys.slots().stream()
              .filter(s -> owners.get(0).self().slots().contains(s))
              .findFirst()
              .orElseThrow();
      int bare = owners.get(2).self().slots().toArray()[0];
      var src = cluster.admin().node(owners.get(0).address());
      var dst = cluster.admin().node(owners.get(1).address());
      dst.setSlotImporting(slot, owners.get(0).id());
      src.setSlotMigrating(slot, owners.get(1).id());
      for (NodeReport r : List.of(owners.get(2), owners.get(0), owners.get(1))) {
        cluster.admin().node(r.address()).delSlots(SlotSet.range(bare, bare));
      }
      await("for the slot to be uncovered everywhere")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> cluster.observe().uncoveredSlots().contains(bare));
      List<String> before = state();

      CommandRun dry = CommandRun.of("cluster", "fix", "--dry-run", seed);

      assertThat(dry.exitCode()).isEqualTo(3);
      assertThat(dry.out())
          .contains("would 1. ")
          .contains("had no owner and no node holds keys in them: " + bare + ";")
          .contains("the migration of slot " + slot)
          .contains("dry run: nothing changed");
      assertThat(state()).as("a dry run changes nothing").isEqualTo(before);

      CommandRun fix = CommandRun.of("cluster", "fix", seed);
      assertThat(fix.exitCode()).as(fix.out()).isZero();
      assertThat(fix.out())
          .contains("repaired: ")
          .contains("the migration of slot " + slot)
          .contains("OK: no problems found");
      assertThat(keys.unreadable(cluster.observe())).isEmpty();
      assertThat(CommandRun.of("cluster", "fix", "--dry-run", seed).out())
          .contains("nothing to fix");
    }
  }

  @Test
  void aDeadPrimaryWithoutReplicaIsReportedBlockedWithExit3UntilDataLossIsAccepted() {
    cluster = TestClusters.start(home, 3, 0);
    String seed = cluster.addresses().get(0).toString();
    ClusterView view = cluster.observe();
    NodeReport dead = view.slotOwners().get(2);
    String seedOfLive = view.slotOwners().get(0).address().toString();
    cluster.node(dead.address()).orElseThrow().crash();
    await("for the dead primary to be flagged failed")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                cluster
                    .observer()
                    .observe(List.of(view.slotOwners().get(0).address()))
                    .reachable()
                    .stream()
                    .allMatch(r -> r.about(dead.id()).map(NodeRecord::failed).orElse(true)));

    CommandRun fix = CommandRun.of("cluster", "fix", seedOfLive);

    assertThat(fix.exitCode()).isEqualTo(3);
    assertThat(fix.out())
        .contains("blocked: slots " + dead.self().slots() + " of failed primary ")
        .contains("(--accept-data-loss)")
        .contains("0 not repaired, 1 blocked");

    CommandRun lossy = CommandRun.of("cluster", "fix", "--accept-data-loss", seedOfLive);
    assertThat(lossy.exitCode()).as(lossy.out()).isZero();
    assertThat(lossy.out())
        .contains("the data of slots " + dead.self().slots() + " is gone")
        .contains("OK: no problems found");
    assertThat(seed).isNotNull();
  }
}
