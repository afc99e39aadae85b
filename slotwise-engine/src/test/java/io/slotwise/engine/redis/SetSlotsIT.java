package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.TestClusters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's SETSLOTs in one script call answer slot by slot exactly as the commands sent one by
 * one: the same successes, the same refusals of the same kinds, the same state left on the node.
 */
class SetSlotsIT {
  @TempDir Path home;
  private final java.util.List<LocalCluster> started = new java.util.ArrayList<>();

  private LocalCluster start() {
    LocalCluster c = TestClusters.start(home, 3, 0);
    started.add(c);
    return c;
  }

  /** Closing a cluster leaves its servers running; destroying stops them. */
  @org.junit.jupiter.api.AfterEach
  void stop() {
    started.forEach(LocalCluster::destroy);
  }

  private record Outcome(List<String> replies, List<RedisErrorKind> kinds, String nodes) {}

  private static Outcome run(
      LocalCluster cluster,
      NodeReport node,
      List<Integer> slots,
      String state,
      String id,
      boolean oneByOne) {
    List<String> replies = new ArrayList<>();
    List<RedisErrorKind> kinds = new ArrayList<>();
    try (SlotPipeline p = cluster.admin().pipeline(node.address())) {
      for (SlotPipeline.Reply<String> r : p.setSlots(slots, state, id, oneByOne)) {
        RedisAdminException e = r.failure();
        replies.add(e == null ? r.get() : null);
        kinds.add(e == null ? null : e.kind());
      }
    }
    String nodes = cluster.admin().node(node.address()).clusterNodes();
    String self = nodes.lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
    // Only the slot columns: the rest (ping times, epochs) moves on its own.
    return new Outcome(replies, kinds, self.substring(self.indexOf("connected")));
  }

  @Test
  void oneScriptCallAnswersLikeOneCommandPerSlot() {
    try (LocalCluster cluster = start()) {
      List<NodeReport> owners = cluster.observe().slotOwners();
      NodeReport a = owners.get(0);
      NodeReport b = owners.get(1);
      int[] mine = a.self().slots().first(3).toArray();
      int notMine = b.self().slots().first(1).toArray()[0];
      List<Integer> slots = List.of(mine[0], notMine, mine[1], mine[2]);

      Outcome byScript = run(cluster, a, slots, "MIGRATING", b.id(), false);
      assertThat(byScript.replies()).containsExactly("OK", null, "OK", "OK");
      assertThat(byScript.kinds()).containsExactly(null, RedisErrorKind.ERR_NOT_OWNER, null, null);
      assertThat(byScript.nodes()).contains("[" + mine[0] + "->-" + b.id() + "]");
      Outcome closed = run(cluster, a, slots, "STABLE", null, false);
      assertThat(closed.nodes()).doesNotContain("->-");

      Outcome oneByOne = run(cluster, a, slots, "MIGRATING", b.id(), true);
      assertThat(oneByOne).isEqualTo(byScript);
      run(cluster, a, slots, "STABLE", null, true);
      assertThat(run(cluster, a, List.of(mine[0]), "STABLE", null, false).nodes())
          .isEqualTo(closed.nodes());
    }
  }
}
