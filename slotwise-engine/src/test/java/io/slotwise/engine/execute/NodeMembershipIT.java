package io.slotwise.engine.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
  void aNewNodeIsToldEachOwnersSlotsInTheStepAfterItKnowsThatOwner() throws Exception {
    // A cluster client (Lettuce) takes the slot map of the view that knows the most members, ties
    // broken at random: a joining node that lists members without their slots is a view that,
    // taken, fails requests for the missing slots until the client's next refresh. The node learns
    // ids from the cluster bus by itself, so it may know an owner for a moment before it is told
    // that owner's slots; the teaching step that follows (one script, atomic on the node) must
    // close that gap. Each look at the node is atomic too (MULTI: its table and how many scripts
    // have run): an owner seen known without its slots must not be so still in a later look once
    // a script has run in between. (Teaching only once every owner was known let such a view last
    // 150 ms here, over many scripts' worth of time.)
    cluster = TestClusters.start(home, 3, 1);
    try (FreshNodes fresh = FreshNodes.start(home.resolve("fresh"), 1)) {
      NodeAddress node = fresh.addresses().get(0);
      Map<String, Integer> ownedSlots = new HashMap<>();
      for (NodeAddress a : cluster.addresses()) {
        NodeRecord self = cluster.observer().report(a).self();
        if (self.primary() && self.slots().size() > 0) {
          ownedSlots.put(self.id(), self.slots().size());
        }
      }
      AtomicBoolean adding = new AtomicBoolean(true);
      Map<String, Long> seenBareAt = new ConcurrentHashMap<>();
      List<String> stillBare = new CopyOnWriteArrayList<>();
      AtomicInteger looks = new AtomicInteger();
      AtomicLong scripts = new AtomicLong();
      RedisClient client = RedisClient.create(RedisURI.create(node.host(), node.port()));
      Thread watcher =
          new Thread(
              () -> {
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                  RedisCommands<String, String> sync = c.sync();
                  while (adding.get()) {
                    sync.multi();
                    sync.clusterNodes();
                    sync.info("commandstats");
                    TransactionResult look = sync.exec();
                    looks.incrementAndGet();
                    long evals = evalCalls(look.get(1));
                    scripts.set(evals);
                    for (NodeRecord k : NodeRecord.parseAll(look.get(0))) {
                      Integer owned = ownedSlots.get(k.id());
                      if (owned != null && !k.handshake() && k.slots().size() < owned) {
                        Long first = seenBareAt.putIfAbsent(k.id(), evals);
                        if (first != null && evals > first) {
                          stillBare.add(
                              "look "
                                  + looks.get()
                                  + ": "
                                  + k.id()
                                  + " known with "
                                  + k.slots().size()
                                  + " of its "
                                  + owned
                                  + " slots after "
                                  + (evals - first)
                                  + " script(s) since first seen so");
                        }
                      }
                    }
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
        client.shutdown();
      }

      assertThat(looks.get()).isPositive();
      // The support probe and at least one teaching step ran on the node.
      assertThat(scripts.get()).isGreaterThanOrEqualTo(2);
      assertThat(stillBare).isEmpty();
    }
  }

  private static long evalCalls(String commandstats) {
    for (String line : commandstats.split("\r?\n")) {
      if (line.startsWith("cmdstat_eval:calls=")) {
        return Long.parseLong(line.substring("cmdstat_eval:calls=".length()).split(",")[0]);
      }
    }
    return 0;
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
