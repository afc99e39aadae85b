package io.slotwise.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.RepairOptions;
import io.slotwise.engine.redis.NodeClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that the cluster does not flag failed but that does not answer (paused with SIGSTOP, node
 * timeout raised so Redis does not flag it): fix does what does not depend on it and names it as
 * the reason for the rest.
 */
class UnobservableNodeFixIT {
  @TempDir Path home;
  private BrokenCluster broken;

  @AfterEach
  void stop() {
    if (broken != null) {
      broken.close();
    }
  }

  private static void signal(long pid, String sig) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor()).as("kill -%s %s", sig, pid).isZero();
  }

  @Test
  void aPausedPrimaryBlocksForgettingAndItsShardWhileAnOpenSlotIsSettled() throws Exception {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    List<NodeReport> owners = view.slotOwners();
    NodeReport ghost = view.replicasOf(owners.get(0).id()).get(0);
    NodeReport paused = owners.get(2);
    NodeReport pausedReplica = view.replicasOf(paused.id()).get(0);
    int open =
        broken.keys.slots().stream()
            .filter(s -> owners.get(0).self().slots().contains(s))
            .findFirst()
            .orElseThrow();
    broken.keys.writeInSlot(view, open, 20);

    broken.process(ghost).crash();
    await("for the cluster to flag the crashed replica failed")
        .atMost(BrokenCluster.CONVERGENCE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                broken.view().reachable().stream()
                    .allMatch(r -> r.about(ghost.id()).map(x -> x.failed()).orElse(true)));
    // Long enough that nobody flags the paused node while the test runs.
    for (NodeReport r : broken.view().reachable()) {
      broken.node(r).configSet("cluster-node-timeout", "180000");
    }
    NodeClient src = broken.node(owners.get(0));
    NodeClient dst = broken.node(owners.get(1));
    dst.setSlotImporting(open, owners.get(0).id());
    src.setSlotMigrating(open, owners.get(1).id());
    src.migrate(owners.get(1).address(), src.keysInSlot(open, 10), false, 10_000);

    long pid = broken.process(paused).process().orElseThrow().pid();
    signal(pid, "STOP");
    try {
      FixReport report = broken.fixReport(RepairOptions.SAFE);

      assertThat(report.repaired()).anyMatch(a -> a.contains("the migration of slot " + open));
      List<FixReport.Outcome> blocked = report.withStatus(FixReport.Status.BLOCKED);
      assertThat(blocked)
          .anySatisfy(
              o -> {
                assertThat(o.nodeId()).isEqualTo(paused.id());
                assertThat(o.what())
                    .isEqualTo("forgetting failed node " + ClusterChecker.name(view, ghost.id()));
                assertThat(o.why()).contains("cannot be observed");
              })
          .anySatisfy(
              o -> {
                assertThat(o.what()).isEqualTo("orphaned replica " + pausedReplica.address());
                assertThat(o.nodeId()).isEqualTo(paused.id());
              });
      assertThat(blocked).allSatisfy(o -> assertThat(o.nodeId()).isEqualTo(paused.id()));
      assertThat(report.allRepaired()).isFalse();
      ClusterView during = broken.view();
      assertThat(during.reachable())
          .allSatisfy(
              r -> {
                assertThat(r.about(ghost.id())).as("%s forgot the ghost", r.address()).isPresent();
                assertThat(r.self().migrating()).isEmpty();
                assertThat(r.self().importing()).isEmpty();
              });
      assertThat(during.node(pausedReplica.id()).orElseThrow().self().primaryId())
          .as("the paused primary's replica keeps its copy")
          .isEqualTo(paused.id());
    } finally {
      signal(pid, "CONT");
    }

    FixReport again = broken.fixReport(RepairOptions.SAFE);
    assertThat(again.repaired())
        .contains("forgot ghost " + ClusterChecker.name(view, ghost.id()) + " on every node");
    broken.awaitOnly(ProblemKind.UNEVEN_REPLICAS);
    assertThat(broken.keys.unreadable(broken.view())).isEmpty();
  }
}
