package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.KeyLedger;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster add-node}, {@code del-node} and {@code failover} against a running cluster. */
class ClusterAdminIT {
  @TempDir Path home;
  private LocalCluster cluster;
  private FreshNodes fresh;

  @AfterEach
  void stop() {
    try {
      if (fresh != null) {
        fresh.close();
      }
    } finally {
      if (cluster != null) {
        cluster.destroy();
        cluster.close();
      }
    }
  }

  private static void assertOk(CommandRun run) {
    assertThat(run.exitCode()).as("exit code; err: %s", run.err()).isZero();
    assertThat(run.err()).isEmpty();
  }

  private void awaitCheckPasses(String seed) {
    await("for cluster check to pass")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> CommandRun.of("cluster", "check", seed).exitCode() == 0);
  }

  @Test
  void nodeAddedAsPrimaryThenAsReplicaAndRemovedEachTime() {
    // With one replica per shard already, an extra one (2/1/1) leaves the layout even enough for
    // check.
    cluster = TestClusters.start(home, 3, 1);
    fresh = FreshNodes.start(home.resolve("fresh"), 1);
    String existing = cluster.addresses().get(0).toString();
    NodeAddress node = fresh.addresses().get(0);

    for (boolean asReplica : new boolean[] {false, true}) {
      CommandRun add =
          asReplica
              ? CommandRun.of("cluster", "add-node", node.toString(), existing, "--replica")
              : CommandRun.of("cluster", "add-node", node.toString(), existing);
      assertOk(add);
      ClusterView view = cluster.observe();
      NodeReport added = cluster.observer().report(node);
      assertThat(add.out()).contains("added " + node + " as node " + added.id());
      assertThat(view.opinionsAbout(added.id())).as("every node knows it").hasSize(7);
      assertThat(added.self().replica()).isEqualTo(asReplica);
      awaitCheckPasses(existing);

      CommandRun del = CommandRun.of("cluster", "del-node", existing, added.id().substring(0, 10));
      assertOk(del);
      assertThat(del.out()).contains("removed node " + added.id());
      assertThat(cluster.observe().knownIds()).hasSize(6).doesNotContain(added.id());
      assertThat(cluster.observer().report(node).known())
          .as("the removed node was reset")
          .hasSize(1);
      awaitCheckPasses(existing);
    }
  }

  @Test
  void failoverMakesTheReplicaPrimary() {
    cluster = TestClusters.start(home, 3, 1);
    ClusterView view = cluster.observe();
    NodeReport primary = view.slotOwners().get(1);
    NodeReport replica = view.replicasOf(primary.id()).get(0);

    CommandRun run = CommandRun.of("cluster", "failover", replica.address().toString());

    assertOk(run);
    assertThat(run.out()).contains(replica.address() + " is now the primary of its shard");
    NodeReport now = cluster.observer().report(replica.address());
    assertThat(now.self().primary()).isTrue();
    assertThat(now.self().slots()).isEqualTo(primary.self().slots());
    awaitCheckPasses(replica.address().toString());
    assertThat(cluster.observer().report(primary.address()).self().primaryId())
        .isEqualTo(replica.id());

    CommandRun again =
        CommandRun.of(
            "cluster", "failover", cluster.observe().slotOwners().get(0).address().toString());
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.errLines())
        .singleElement()
        .satisfies(l -> assertThat(l).endsWith(" is not a replica"));
  }

  @Test
  void checkNamesAnOpenSlotAndFixClosesItKeepingEveryKey() {
    cluster = TestClusters.start(home, 3, 0);
    String seed = cluster.addresses().get(2).toString();
    try (KeyLedger keys = new KeyLedger()) {
      ClusterView view = cluster.observe();
      keys.writeSpread(view, 200);
      int slot = keys.slots().first();
      NodeReport owner = view.node(view.claimedOwners().get(slot).get(0)).orElseThrow();
      NodeReport target =
          view.slotOwners().stream()
              .filter(p -> !p.id().equals(owner.id()))
              .findFirst()
              .orElseThrow();
      cluster.admin().node(owner.address()).setSlotMigrating(slot, target.id());

      CommandRun check = CommandRun.of("cluster", "check", seed);
      assertThat(check.exitCode()).isEqualTo(1);
      assertThat(check.out())
          .contains("[OPEN_SLOT] slot " + slot + " is migrating on ")
          .contains("1 problem(s) found");

      CommandRun fix = CommandRun.of("cluster", "fix", seed);
      assertOk(fix);
      assertThat(fix.out())
          .contains("the migration of slot " + slot)
          .contains("OK: no problems found");
      assertThat(keys.unreadable(cluster.observe())).isEmpty();
      assertThat(CommandRun.of("cluster", "fix", seed).out()).contains("nothing to fix");
    }
  }
}
