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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A provider that keeps each shard's nodes apart (the operator: a StatefulSet per shard) gets its
 * shards as it keeps them: a new shard's primary and replicas come from its own nodes, a leaving
 * shard's nodes go newest first, and nodes a drained shard left behind go before a shard's own.
 */
class ProviderShardsTest {
  private static NodeAddress addr(int shard, int ordinal) {
    return new NodeAddress("127.0.0." + (10 * shard + ordinal + 1), 7000);
  }

  private static int order(int shard, int ordinal) {
    return 10 * shard + ordinal;
  }

  private static Member primary(int shard, int of) {
    int from = shard * HashSlots.COUNT / of;
    int to = (shard + 1) * HashSlots.COUNT / of - 1;
    return new Member(
        "p" + shard, addr(shard, 0), order(shard, 0), null, SlotSet.range(from, to), true, shard);
  }

  private static Member replica(int shard, int ordinal, String primaryId) {
    return new Member(
        "r" + shard + ordinal,
        addr(shard, ordinal),
        order(shard, ordinal),
        primaryId,
        SlotSet.EMPTY,
        true,
        shard);
  }

  private static Fresh fresh(int shard, int ordinal) {
    return new Fresh(addr(shard, ordinal), 17000, order(shard, ordinal), shard);
  }

  @Test
  void aNewShardTakesItsPrimaryFromItsOwnNodesEvenWhenAnOlderFreshNodeWaits() {
    // Shard 0 lost its replica, which came back empty (older than shard 3's nodes).
    List<Member> members = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      members.add(primary(s, 3));
      if (s > 0) {
        members.add(replica(s, 1, "p" + s));
      }
    }
    Shape shape = new Shape(members, List.of(fresh(0, 1), fresh(3, 0), fresh(3, 1)));

    Action a = ScalePlanner.next(shape, new Target(4, 1, List.of())).orElseThrow();

    assertThat(a).isEqualTo(new Action.AddPrimary(fresh(3, 0)));
  }

  @Test
  void aFreshNodeReplicatesThePrimaryOfItsOwnShard() {
    List<Member> members = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      members.add(primary(s, 4));
    }
    members.add(replica(1, 1, "p1"));
    members.add(replica(1, 2, "p1"));
    members.add(replica(2, 1, "p2"));
    // Shards 0 and 3 have no replica; the fresh node is shard 3's, though shard 0 is older.
    Shape shape = new Shape(members, List.of(fresh(3, 1)));

    Action a = ScalePlanner.next(shape, new Target(4, 1, List.of())).orElseThrow();

    assertThat(a).isEqualTo(new Action.AddReplica(fresh(3, 1), "p3"));
  }

  @Test
  void aLeavingEmptyPrimaryLosesItsReplicasNewestFirstBeforeItself() {
    List<Member> members = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      members.add(primary(s, 3));
      members.add(replica(s, 1, "p" + s));
    }
    members.add(new Member("p3", addr(3, 0), order(3, 0), null, SlotSet.EMPTY, true, 3));
    members.add(replica(3, 1, "p3"));

    Action a =
        ScalePlanner.next(new Shape(members, List.of()), new Target(3, 1, List.of())).orElseThrow();

    assertThat(a).isEqualTo(new Action.RemoveNode("r31", addr(3, 1)));
  }

  @Test
  void nodesADrainedShardLeftBehindGoBeforeTheShardsOwnReplica() {
    List<Member> members = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      members.add(primary(s, 3));
      members.add(replica(s, 1, "p" + s));
    }
    // Redis made the drained shard 3's nodes replicas of shard 0's primary; shard 0's own replica
    // is still syncing, which without provider shards would make it the one to go.
    members.set(1, new Member("r01", addr(0, 1), order(0, 1), "p0", SlotSet.EMPTY, false, 0));
    members.add(new Member("p3", addr(3, 0), order(3, 0), "p0", SlotSet.EMPTY, true, 3));
    members.add(new Member("r31", addr(3, 1), order(3, 1), "p0", SlotSet.EMPTY, true, 3));

    Action a =
        ScalePlanner.next(new Shape(members, List.of()), new Target(3, 1, List.of())).orElseThrow();

    assertThat(a).isEqualTo(new Action.RemoveNode("r31", addr(3, 1)));
  }

  @Test
  void aFreshClusterIsLaidOutAsTheProviderKeepsItsShards() {
    List<Candidate> nodes = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      for (int o = 0; o < 2; o++) {
        nodes.add(new Candidate(addr(s, o), 17000, "id" + s + o, "same-host"));
      }
    }

    List<ShardLayout> layout =
        CreatePlanner.layoutByShard(nodes, 1, c -> Integer.parseInt(c.id().substring(2, 3)));

    assertThat(layout).hasSize(3);
    for (int s = 0; s < 3; s++) {
      assertThat(layout.get(s).primary().id()).isEqualTo("id" + s + "0");
      assertThat(layout.get(s).replicas())
          .extracting(Candidate::id)
          .containsExactly("id" + s + "1");
    }
    assertThat(layout.stream().mapToInt(l -> l.slots().size()).sum()).isEqualTo(HashSlots.COUNT);
  }

  @Test
  void aShardWithTheWrongNumberOfNodesIsRefused() {
    List<Candidate> nodes = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      nodes.add(new Candidate(addr(s, 0), 17000, "id" + s + "0", "h"));
    }
    nodes.add(new Candidate(addr(2, 1), 17000, "id21", "h"));

    assertThatThrownBy(
            () ->
                CreatePlanner.layoutByShard(
                    nodes, 0, c -> Integer.parseInt(c.id().substring(2, 3))))
        .isInstanceOf(PlanningException.class)
        .hasMessageContaining("shard 2 has 2 nodes");
  }
}
