package io.slotwise.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas without a live primary, or piled up in one shard: check names them, fix moves them. */
class ReplicaFixIT {
  @TempDir Path home;
  private BrokenCluster broken;

  @AfterEach
  void stop() {
    if (broken != null) {
      broken.close();
    }
  }

  @Test
  void replicaOfACrashedEmptyPrimaryFollowsALivePrimary() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    List<RedisProcess> fresh = broken.freshNodes(2);
    RedisProcess emptyPrimary = fresh.get(0);
    RedisProcess orphan = fresh.get(1);
    String emptyPrimaryId =
        broken.membership().add(broken.liveSeeds().get(0), emptyPrimary.address(), null, false);
    broken.membership().add(broken.liveSeeds().get(0), orphan.address(), emptyPrimaryId, false);
    ClusterView view = broken.view();
    assertThat(ClusterChecker.check(view)).isEmpty();
    String orphanId = view.report(orphan.address()).orElseThrow().id();

    emptyPrimary.crash();

    List<Problem> problems = broken.awaitProblem(ProblemKind.FAILED_NODE);
    assertThat(problems)
        .contains(
            new Problem(
                ProblemKind.ORPHANED_REPLICA,
                ClusterChecker.name(view, orphanId)
                    + " replicates "
                    + ClusterChecker.name(view, emptyPrimaryId)
                    + ", which is not a live primary"));
    List<String> done = broken.fix();

    assertThat(done)
        .anyMatch(a -> a.startsWith("made orphaned replica " + orphan.address() + " follow "));
    assertThat(done)
        .contains("forgot ghost " + ClusterChecker.name(view, emptyPrimaryId) + " on every node");
    broken.awaitHealthyWithEveryKey();
    ClusterView after = broken.view();
    String newPrimary = after.node(orphanId).orElseThrow().self().primaryId();
    assertThat(after.slotOwners()).extracting(NodeReport::id).contains(newPrimary);
    broken.assertForgottenEverywhere(emptyPrimaryId);
  }

  @Test
  void replicasPiledOnOneShardAreSpreadAgain() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    // Keep Redis's own replica migration out of the way, so the fixer is what repairs the layout.
    for (NodeReport r : view.reachable()) {
      broken.node(r).configSet("cluster-allow-replica-migration", "no");
    }
    NodeReport rich = view.slotOwners().get(0);
    NodeReport poor = view.slotOwners().get(2);
    NodeReport moved = view.replicasOf(poor.id()).get(0);

    broken.node(moved).replicate(rich.id());

    List<Problem> problems = broken.awaitProblem(ProblemKind.UNEVEN_REPLICAS);
    assertThat(problems)
        .contains(
            new Problem(
                ProblemKind.UNEVEN_REPLICAS,
                "shard of "
                    + ClusterChecker.name(view, poor.id())
                    + " has 0 replica(s) while another has 2"));
    assertThat(broken.fix())
        .anyMatch(
            a ->
                a.startsWith("moved replica ") && a.endsWith(" to the shard of " + poor.address()));

    broken.awaitHealthyWithEveryKey();
    ClusterView after = broken.view();
    assertThat(after.slotOwners()).allSatisfy(p -> assertThat(after.replicasOf(p.id())).hasSize(1));
  }
}
