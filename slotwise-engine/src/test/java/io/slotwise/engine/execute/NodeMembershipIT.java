package io.slotwise.engine.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding a node to a real cluster, as a cluster client sees it meanwhile. */
class NodeMembershipIT {
  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  @Test
  void aNewNodeKnowsEverySlotOwnerFromTheMomentItIsIntroduced() {
    // By gossip alone a new node lists every member within a round trip but learns the other
    // shards' slots over seconds; a client that refreshes its slot map from it meanwhile gets a
    // map with whole shards missing. Right after the introduction (the progress line is said
    // synchronously, before any wait for agreement) its own view must cover every slot.
    cluster = TestClusters.start(home, 3, 0);
    try (FreshNodes fresh = FreshNodes.start(home.resolve("fresh"), 1)) {
      NodeAddress node = fresh.addresses().get(0);
      List<Integer> coveredWhenIntroduced = new ArrayList<>();
      NodeMembership membership =
          new NodeMembership(
              cluster.admin(),
              cluster.observer(),
              Waiter.standard(),
              m -> {
                if (m.startsWith("introduced ")) {
                  coveredWhenIntroduced.add(covered(node));
                }
              });

      membership.add(cluster.addresses().get(0), node, null, false);

      assertThat(coveredWhenIntroduced).containsExactly(HashSlots.COUNT);
    }
  }

  private int covered(NodeAddress node) {
    BitSet slots = new BitSet();
    for (NodeRecord r : cluster.observer().report(node).known()) {
      if (r.primary()) {
        for (int s : r.slots().toArray()) {
          slots.set(s);
        }
      }
    }
    return slots.cardinality();
  }
}
