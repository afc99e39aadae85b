package io.slotwise.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.plan.ScalePlanner.Action;
import io.slotwise.engine.plan.ScalePlanner.Fresh;
import io.slotwise.engine.plan.ScalePlanner.Member;
import io.slotwise.engine.plan.ScalePlanner.Shape;
import io.slotwise.engine.plan.ScalePlanner.Target;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The order of a scale, as the sequence of answers {@link ScalePlanner#next} gives while a small
 * simulator plays Redis and the node provider (including Redis turning a drained primary and its
 * replicas into replicas of the node that took its last slot).
 */
class ScalePlannerTest {

  /** A mutable cluster for the simulation: members by id plus fresh nodes. */
  static final class Sim {
    final Map<String, Member> members = new HashMap<>();
    final List<Fresh> fresh = new ArrayList<>();
    final List<Action> log = new ArrayList<>();
    int nextOrder;

    static Sim formed(int shards, int replicas) {
      Sim sim = new Sim();
      List<String> primaries = new ArrayList<>();
      for (int i = 0; i < shards; i++) {
        int from = i * HashSlots.COUNT / shards;
        int to = (i + 1) * HashSlots.COUNT / shards - 1;
        String id = "n" + sim.nextOrder;
        sim.members.put(
            id,
            new Member(
                id, addr(sim.nextOrder), sim.nextOrder++, null, SlotSet.range(from, to), true));
        primaries.add(id);
      }
      for (String p : primaries) {
        for (int r = 0; r < replicas; r++) {
          sim.addReplica(p, true);
        }
      }
      return sim;
    }

    void addReplica(String primaryId, boolean inSync) {
      String id = "n" + nextOrder;
      members.put(
          id, new Member(id, addr(nextOrder), nextOrder++, primaryId, SlotSet.EMPTY, inSync));
    }

    Shape shape() {
      return new Shape(List.copyOf(members.values()), List.copyOf(fresh));
    }

    /** Plays the action as Redis and the provider would. */
    void apply(Action a) {
      log.add(a);
      if (a instanceof Action.StartNodes s) {
        for (int i = 0; i < s.count(); i++) {
          fresh.add(new Fresh(addr(nextOrder), 17000 + nextOrder, nextOrder++));
        }
      } else if (a instanceof Action.Form f) {
        int shards = f.nodes().size() / (1 + f.replicasPerShard());
        List<Fresh> nodes = f.nodes();
        for (int i = 0; i < shards; i++) {
          Fresh p = nodes.get(i);
          members.put(
              "n" + p.order(),
              new Member(
                  "n" + p.order(),
                  p.address(),
                  p.order(),
                  null,
                  SlotSet.range(
                      i * HashSlots.COUNT / shards, (i + 1) * HashSlots.COUNT / shards - 1),
                  true));
        }
        for (int i = shards; i < nodes.size(); i++) {
          Fresh r = nodes.get(i);
          String primary = "n" + nodes.get((i - shards) % shards).order();
          members.put(
              "n" + r.order(),
              new Member("n" + r.order(), r.address(), r.order(), primary, SlotSet.EMPTY, true));
        }
        fresh.removeAll(nodes);
      } else if (a instanceof Action.AddPrimary p) {
        fresh.remove(p.node());
        String id = "n" + p.node().order();
        members.put(
            id, new Member(id, p.node().address(), p.node().order(), null, SlotSet.EMPTY, true));
      } else if (a instanceof Action.AddReplica r) {
        assertThat(members.get(r.primaryId()).primary()).isTrue();
        fresh.remove(r.node());
        String id = "n" + r.node().order();
        members.put(
            id,
            new Member(
                id, r.node().address(), r.node().order(), r.primaryId(), SlotSet.EMPTY, true));
      } else if (a instanceof Action.DrainPrimary d) {
        drain(d.primaryId(), d.weights());
      } else if (a instanceof Action.MoveReplica m) {
        Member x = members.get(m.replicaId());
        assertThat(x.primary()).isFalse();
        members.put(
            x.id(),
            new Member(x.id(), x.address(), x.order(), m.toPrimaryId(), SlotSet.EMPTY, true));
      } else if (a instanceof Action.RemoveNode r) {
        Member gone = members.get(r.id());
        assertThat(gone.slots().isEmpty()).as("a removed node owns no slots").isTrue();
        members.remove(r.id());
        // NodeMembership.remove moves the replicas of a removed empty primary elsewhere.
        String other =
            members.values().stream()
                .filter(m -> m.primary() && !m.slots().isEmpty())
                .findFirst()
                .orElseThrow()
                .id();
        for (Member m : List.copyOf(members.values())) {
          if (r.id().equals(m.primaryId())) {
            members.put(
                m.id(), new Member(m.id(), m.address(), m.order(), other, SlotSet.EMPTY, true));
          }
        }
      } else if (a instanceof Action.RemoveFresh f) {
        fresh.remove(f.node());
      } else if (a instanceof Action.BalanceSlots b) {
        balance(b.weights(), null);
      }
    }

    private void drain(String id, Map<String, Double> weights) {
      assertThat(weights).containsEntry(id, 0.0);
      String taker = balance(weights, java.util.Set.of(id));
      // Redis: the drained primary and its replicas follow the node that took its last slot.
      for (Member m : List.copyOf(members.values())) {
        if (m.id().equals(id) || id.equals(m.primaryId())) {
          members.put(
              m.id(), new Member(m.id(), m.address(), m.order(), taker, SlotSet.EMPTY, true));
        }
      }
    }

    /** Applies a slot plan for these weights; returns the receiver of the last move. */
    private String balance(Map<String, Double> weights, java.util.Set<String> givers) {
      List<RebalancePlanner.Primary> primaries = new ArrayList<>();
      weights.forEach(
          (id, w) -> {
            Member m = members.get(id);
            primaries.add(new RebalancePlanner.Primary(id, m.address(), m.slots(), w));
          });
      RebalancePlan plan =
          RebalancePlanner.plan(primaries, SlotStats.empty(), BalanceBy.SLOTS, 0, givers);
      Map<String, BitSet> bits = new HashMap<>();
      weights.keySet().forEach(id -> bits.put(id, members.get(id).slots().toBitSet()));
      String last = null;
      for (RebalancePlan.PlannedMove mv : plan.moves()) {
        bits.get(mv.from()).clear(mv.slot());
        bits.get(mv.to()).set(mv.slot());
        last = mv.to();
      }
      bits.forEach(
          (id, b) -> {
            Member m = members.get(id);
            members.put(id, new Member(id, m.address(), m.order(), null, SlotSet.of(b), true));
          });
      return last;
    }

    /** Runs the planner until it says the shape is reached; fails after too many steps. */
    Sim converge(Target target) {
      for (int i = 0; i < 100; i++) {
        Optional<Action> next = ScalePlanner.next(shape(), target);
        if (next.isEmpty()) {
          return this;
        }
        apply(next.get());
      }
      throw new AssertionError("no convergence after 100 steps: " + log);
    }

    List<Class<?>> kinds() {
      return log.stream().<Class<?>>map(Object::getClass).toList();
    }

    void assertShape(Target target) {
      List<Member> primaries = members.values().stream().filter(Member::primary).toList();
      assertThat(primaries).hasSize(target.shards());
      int covered = primaries.stream().mapToInt(p -> p.slots().size()).sum();
      assertThat(covered).isEqualTo(HashSlots.COUNT);
      for (Member p : primaries) {
        assertThat(members.values().stream().filter(m -> p.id().equals(m.primaryId())).count())
            .as("replicas of %s", p.id())
            .isEqualTo(target.replicasPerShard());
      }
      assertThat(fresh).isEmpty();
    }
  }

  static NodeAddress addr(int order) {
    return new NodeAddress("127.0.0." + (order + 1), 7000);
  }

  static Target target(int shards, int replicas) {
    return new Target(shards, replicas, List.of());
  }

  @Test
  void fromNothingTheNodesStartThenFormTheCluster() {
    Sim sim = new Sim();
    sim.converge(target(3, 1));
    assertThat(sim.log.get(0)).isEqualTo(new Action.StartNodes(List.of(0, 1, 2, 0, 1, 2)));
    assertThat(sim.log.get(1)).isInstanceOf(Action.Form.class);
    assertThat(((Action.Form) sim.log.get(1)).nodes()).hasSize(6);
    assertThat(sim.log).hasSize(2);
    sim.assertShape(target(3, 1));
  }

  @Test
  void addingAShardStartsNodesJoinsPrimaryThenReplicaThenMovesSlots() {
    Sim sim = Sim.formed(3, 1).converge(target(4, 1));
    assertThat(sim.kinds())
        .containsExactly(
            Action.StartNodes.class,
            Action.AddPrimary.class,
            Action.AddReplica.class,
            Action.BalanceSlots.class);
    assertThat(sim.log.get(0)).isEqualTo(new Action.StartNodes(List.of(3, 3)));
    Action.AddPrimary primary = (Action.AddPrimary) sim.log.get(1);
    Action.AddReplica replica = (Action.AddReplica) sim.log.get(2);
    assertThat(replica.primaryId()).isEqualTo("n" + primary.node().order());
    sim.assertShape(target(4, 1));
    assertThat(sim.members.values().stream().filter(Member::primary))
        .allSatisfy(p -> assertThat(p.slots().size()).isEqualTo(4096));
  }

  @Test
  void removingAShardDrainsItFirstThenRemovesItsReplicaAndItsPrimary() {
    Sim sim = Sim.formed(3, 1).converge(target(4, 1));
    // The shard added last: primary n6 and its replica n7.
    assertThat(sim.members.get("n7").primaryId()).isEqualTo("n6");
    sim.log.clear();
    sim.converge(target(3, 1));
    assertThat(sim.log).hasSize(3);
    assertThat(sim.log.get(0)).isInstanceOf(Action.DrainPrimary.class);
    Action.DrainPrimary drain = (Action.DrainPrimary) sim.log.get(0);
    assertThat(drain.primaryId()).isEqualTo("n6");
    assertThat(drain.slots()).isEqualTo(4096);
    assertThat(drain.weights()).containsEntry("n6", 0.0).containsEntry("n0", 1.0).hasSize(4);
    assertThat(sim.log.subList(1, 3))
        .containsExactly(
            new Action.RemoveNode("n7", addr(7)), new Action.RemoveNode("n6", addr(6)));
    sim.assertShape(target(3, 1));
  }

  @Test
  void theShardWhoseOldestNodeIsNewestLeaves() {
    Sim sim = Sim.formed(4, 1);
    // Primaries n0..n3 came first, so the fourth shard (n3, n7) is the newest by its oldest node.
    Optional<Action> next = ScalePlanner.next(sim.shape(), target(3, 1));
    assertThat(next).get().isInstanceOf(Action.DrainPrimary.class);
    assertThat(((Action.DrainPrimary) next.get()).primaryId()).isEqualTo("n3");
  }

  @Test
  void anEmptyLeavingPrimaryIsRemovedWithoutADrain() {
    Sim sim = Sim.formed(3, 0);
    sim.apply(new Action.StartNodes(List.of(3)));
    sim.apply(new Action.AddPrimary(sim.fresh.get(0)));
    sim.log.clear();
    sim.converge(target(3, 0));
    assertThat(sim.log).containsExactly(new Action.RemoveNode("n3", addr(3)));
  }

  @Test
  void moreReplicasStartOneNodePerReplicaAndSpreadThem() {
    Sim sim = Sim.formed(3, 1).converge(target(3, 2));
    assertThat(sim.log.get(0)).isEqualTo(new Action.StartNodes(List.of(0, 1, 2)));
    assertThat(sim.log.subList(1, 4))
        .allSatisfy(a -> assertThat(a).isInstanceOf(Action.AddReplica.class));
    assertThat(sim.log.subList(1, 4).stream().map(a -> ((Action.AddReplica) a).primaryId()))
        .containsExactlyInAnyOrder("n0", "n1", "n2");
    sim.assertShape(target(3, 2));
  }

  @Test
  void fewerReplicasRemoveTheOneOutOfSyncNeverTheLastInSync() {
    Sim sim = Sim.formed(3, 1);
    sim.addReplica("n0", false); // n6: still syncing
    sim.addReplica("n1", true); // n7
    // Shard n0: n3 in sync, n6 not; the out-of-sync one goes although n3 is older.
    sim.converge(target(3, 1));
    assertThat(sim.log)
        .containsExactlyInAnyOrder(
            new Action.RemoveNode("n6", addr(6)), new Action.RemoveNode("n7", addr(7)));
    assertThat(sim.members).containsKeys("n3", "n4", "n5");
  }

  @Test
  void replicasDownToZeroRemoveThemAll() {
    Sim sim = Sim.formed(3, 1).converge(target(3, 0));
    assertThat(sim.kinds()).containsOnly(Action.RemoveNode.class).hasSize(3);
    sim.assertShape(target(3, 0));
  }

  @Test
  void aSurplusReplicaMovesToAShardThatLacksOneInsteadOfANewNode() {
    Sim sim = Sim.formed(3, 1);
    Member r = sim.members.get("n4"); // replica of n1
    sim.members.put(r.id(), new Member(r.id(), r.address(), r.order(), "n0", SlotSet.EMPTY, true));
    sim.converge(target(3, 1));
    assertThat(sim.log).singleElement().isInstanceOf(Action.MoveReplica.class);
    assertThat(((Action.MoveReplica) sim.log.get(0)).toPrimaryId()).isEqualTo("n1");
  }

  @Test
  void weightsDecideTheSlotShares() {
    Sim sim = Sim.formed(3, 0).converge(new Target(3, 0, List.of(2.0, 1.0, 1.0)));
    assertThat(sim.kinds()).containsExactly(Action.BalanceSlots.class);
    assertThat(sim.members.get("n0").slots().size()).isEqualTo(8192);
    assertThat(sim.members.get("n1").slots().size()).isEqualTo(4096);
  }

  @Test
  void aClusterInShapeNeedsNothing() {
    assertThat(ScalePlanner.next(Sim.formed(3, 1).shape(), target(3, 1))).isEmpty();
  }

  @Test
  void impossibleTargetsAreRefused() {
    assertThatThrownBy(() -> target(2, 1))
        .isInstanceOf(PlanningException.class)
        .hasMessage("a cluster needs at least 3 shards, got 2");
    assertThatThrownBy(() -> target(3, -1)).isInstanceOf(PlanningException.class);
    assertThatThrownBy(() -> new Target(3, 0, List.of(1.0)))
        .isInstanceOf(PlanningException.class)
        .hasMessageContaining("weights name 1 shards");
  }

  @Test
  void anyScaleConvergesAndEveryRemovalIsSafeInARandomSweep() {
    Random random = new Random(42);
    for (int run = 0; run < 200; run++) {
      int shards = 3 + random.nextInt(4);
      int replicas = random.nextInt(3);
      Sim sim = Sim.formed(shards, replicas);
      for (Member m : List.copyOf(sim.members.values())) {
        if (!m.primary() && random.nextInt(4) == 0) {
          sim.members.put(
              m.id(),
              new Member(m.id(), m.address(), m.order(), m.primaryId(), SlotSet.EMPTY, false));
        }
      }
      Target target = target(3 + random.nextInt(4), random.nextInt(3));
      Map<String, Long> inSyncBefore = inSyncReplicas(sim);
      sim.converge(target);
      sim.assertShape(target);
      // No slot-owning primary was ever removed (the simulator asserts it) and drains came before
      // any removal of the drained shard's nodes.
      List<String> drained =
          sim.log.stream()
              .filter(a -> a instanceof Action.DrainPrimary)
              .map(a -> ((Action.DrainPrimary) a).primaryId())
              .toList();
      assertThat(drained).hasSizeLessThanOrEqualTo(Math.max(0, shards - target.shards()));
      // A shard that kept a replica in sync kept one: the surviving shards that had an in-sync
      // replica before still have one when replicas are wanted.
      if (target.replicasPerShard() > 0) {
        for (Map.Entry<String, Long> e : inSyncBefore.entrySet()) {
          Member p = sim.members.get(e.getKey());
          if (p != null && p.primary() && e.getValue() > 0) {
            assertThat(
                    sim.members.values().stream()
                        .filter(m -> p.id().equals(m.primaryId()) && m.inSync())
                        .count())
                .as("in-sync replicas of %s after %s", p.id(), sim.log)
                .isPositive();
          }
        }
      }
    }
  }

  private static Map<String, Long> inSyncReplicas(Sim sim) {
    return sim.members.values().stream()
        .filter(m -> !m.primary() && m.inSync())
        .collect(Collectors.groupingBy(Member::primaryId, Collectors.counting()));
  }

  @Test
  void shardOrderFollowsTheOldestNodeSoAFailoverDoesNotReorderShards() {
    Sim sim = Sim.formed(3, 1);
    // Shard of n0 fails over: n3 is now its primary and n0 its replica.
    Member p = sim.members.get("n0");
    Member r = sim.members.get("n3");
    sim.members.put("n3", new Member("n3", r.address(), r.order(), null, p.slots(), true));
    sim.members.put("n0", new Member("n0", p.address(), p.order(), "n3", SlotSet.EMPTY, true));
    Optional<Action> next =
        ScalePlanner.next(sim.shape(), new Target(3, 1, List.of(3.0, 1.0, 1.0)));
    assertThat(next).get().isInstanceOf(Action.BalanceSlots.class);
    assertThat(((Action.BalanceSlots) next.get()).weights()).containsEntry("n3", 3.0);
  }
}
