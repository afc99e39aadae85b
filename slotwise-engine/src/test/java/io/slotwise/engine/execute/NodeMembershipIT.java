package io.slotwise.engine.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void aNewNodeNeverListsEveryMemberWhileItLacksASlotOwner() throws Exception {
    // A cluster client (Lettuce) takes the slot map of the view that knows the most members, ties
    // broken at random: a joining node that lists every member but not yet every slot's owner is
    // a view that, taken, fails requests for the missing slots until the client's next refresh.
    // Watched as fast as the node answers, from the introduction until add() returns.
    cluster = TestClusters.start(home, 3, 1);
    try (FreshNodes fresh = FreshNodes.start(home.resolve("fresh"), 1)) {
      NodeAddress node = fresh.addresses().get(0);
      Set<String> members = new HashSet<>();
      for (NodeAddress a : cluster.addresses()) {
        members.add(cluster.observer().report(a).id());
      }
      AtomicBoolean adding = new AtomicBoolean(true);
      List<String> poisonous = new CopyOnWriteArrayList<>();
      AtomicInteger looks = new AtomicInteger();
      Thread watcher =
          new Thread(
              () -> {
                while (adding.get()) {
                  NodeReport r = cluster.observer().report(node);
                  if (!r.reachable()) {
                    continue;
                  }
                  looks.incrementAndGet();
                  Set<String> known = new HashSet<>();
                  BitSet slots = new BitSet();
                  for (NodeRecord k : r.known()) {
                    if (!k.handshake()) {
                      known.add(k.id());
                    }
                    if (k.primary()) {
                      for (int s : k.slots().toArray()) {
                        slots.set(s);
                      }
                    }
                  }
                  if (known.containsAll(members) && slots.cardinality() < HashSlots.COUNT) {
                    poisonous.add(
                        "knew all "
                            + members.size()
                            + " members, "
                            + slots.cardinality()
                            + " slots");
                  }
                }
              },
              "watcher");
      watcher.start();
      try {
        new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), m -> {})
            .add(cluster.addresses().get(0), node, null, false);
      } finally {
        adding.set(false);
        watcher.join();
      }

      assertThat(looks.get()).isPositive();
      assertThat(poisonous).isEmpty();
    }
  }

  @Test
  void removingANodeWhileAnotherIsDownMovesNothingAndForgetsNothing() {
    // Every node must agree before a node is forgotten: with a member down, remove() refuses at
    // once, before it moves the removed primary's replica (REPLICATE) or forgets anything.
    cluster = TestClusters.start(home, 3, 1);
    try (FreshNodes fresh = FreshNodes.start(home.resolve("fresh"), 2)) {
      NodeMembership membership =
          new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), m -> {});
      NodeAddress seed = cluster.addresses().get(0);
      String empty = membership.add(seed, fresh.addresses().get(0), null, false);
      membership.add(seed, fresh.addresses().get(1), empty, false);
      RedisProcess down =
          cluster.nodes().stream()
              .filter(p -> cluster.observer().report(p.address()).self().replica())
              .findFirst()
              .orElseThrow();
      down.kill();

      assertThatThrownBy(() -> membership.remove(seed, empty))
          .isInstanceOf(PlanningException.class)
          .hasMessageContaining("cannot be observed");

      assertThat(cluster.observer().report(fresh.addresses().get(1)).self().primaryId())
          .isEqualTo(empty);
      for (NodeAddress a : cluster.addresses()) {
        if (!a.equals(down.address())) {
          assertThat(cluster.observer().report(a).about(empty))
              .as("%s still knows it", a)
              .isPresent();
        }
      }
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
