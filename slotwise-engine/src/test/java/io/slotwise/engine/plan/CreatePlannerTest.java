package io.slotwise.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CreatePlannerTest {

  /** {@code n} nodes on 127.0.0.1:7000.., the domain of node {@code i} given by {@code domain}. */
  static List<Candidate> nodes(int n, IntFunction<String> domain) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new Candidate(
              new NodeAddress("127.0.0.1", 7000 + i),
              17000 + i,
              String.format("%040x", i + 1),
              domain.apply(i)));
    }
    return out;
  }

  static List<Candidate> oneHost(int n) {
    return nodes(n, i -> "host-a");
  }

  static Set<Candidate> allNodes(List<ShardLayout> layout) {
    Set<Candidate> out = new HashSet<>();
    for (ShardLayout s : layout) {
      out.add(s.primary());
      out.addAll(s.replicas());
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"3,0,3", "4,0,4", "6,1,3", "7,1,3", "8,1,4", "9,2,3", "12,2,4", "100,1,50"})
  void shardCountIsNodesOverShardSize(int n, int replicas, int shards) {
    List<Candidate> nodes = oneHost(n);
    List<ShardLayout> layout = CreatePlanner.layout(nodes, replicas);
    assertThat(layout).hasSize(shards);
    assertThat(allNodes(layout)).containsExactlyInAnyOrderElementsOf(nodes);
    assertThat(layout)
        .allSatisfy(s -> assertThat(s.replicas().size()).isBetween(replicas, replicas + 1));
  }

  @ParameterizedTest
  @CsvSource({"3", "4", "5", "7", "16", "100"})
  void slotsCoverTheKeySpaceOnceInNearEqualContiguousRanges(int shards) {
    List<ShardLayout> layout = CreatePlanner.layout(oneHost(shards), 0);
    BitSet seen = new BitSet();
    int total = 0;
    for (ShardLayout s : layout) {
      assertThat(s.slots().ranges()).as("contiguous").hasSize(1);
      assertThat(s.slots().intersect(SlotSet.of(seen)).isEmpty()).as("disjoint").isTrue();
      seen.or(s.slots().toBitSet());
      total += s.slots().size();
    }
    assertThat(total).isEqualTo(HashSlots.COUNT);
    assertThat(SlotSet.of(seen)).isEqualTo(SlotSet.all());
    int min = layout.stream().mapToInt(s -> s.slots().size()).min().orElseThrow();
    int max = layout.stream().mapToInt(s -> s.slots().size()).max().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  @Test
  void threeShardsSplitTheKeySpaceInThirds() {
    List<ShardLayout> layout = CreatePlanner.layout(oneHost(3), 0);
    assertThat(layout)
        .extracting(s -> s.slots().toString())
        .containsExactly("0-5460", "5461-10921", "10922-16383");
  }

  @Test
  void fewerThanThreePrimariesIsAnError() {
    assertThatThrownBy(() -> CreatePlanner.layout(oneHost(5), 1))
        .isInstanceOf(PlanningException.class)
        .hasMessageContaining("at least 3")
        .hasMessageContaining("6 nodes")
        .hasMessageContaining("got 5");
    assertThatThrownBy(() -> CreatePlanner.layout(oneHost(2), 0))
        .isInstanceOf(PlanningException.class);
    assertThatThrownBy(() -> CreatePlanner.layout(oneHost(8), 2))
        .isInstanceOf(PlanningException.class);
    assertThatThrownBy(() -> CreatePlanner.layout(oneHost(6), -1))
        .isInstanceOf(PlanningException.class);
  }

  @ParameterizedTest(name = "{0} nodes, {1} replicas, {2} hosts")
  @CsvSource({
    "6,1,3", "9,2,3", "12,1,3", "12,3,4", "8,1,4", "10,1,5", "9,1,3", "15,2,5", "18,2,3", "16,1,4",
    "24,2,4", "24,1,3", "12,1,2", "8,1,2", "20,3,4"
  })
  void noReplicaSharesAFailureDomainWithItsPrimary(int n, int replicas, int hosts) {
    // Nodes are listed host after host, so consecutive addresses share a host.
    int perHost = (n + hosts - 1) / hosts;
    List<ShardLayout> layout =
        CreatePlanner.layout(nodes(n, i -> "host-" + (i / perHost)), replicas);
    assertThat(allNodes(layout)).hasSize(n);
    for (ShardLayout s : layout) {
      for (Candidate r : s.replicas()) {
        assertThat(r.failureDomain())
            .as("replica %s of primary %s", r.address(), s.primary().address())
            .isNotEqualTo(s.primary().failureDomain());
      }
    }
  }

  @ParameterizedTest(name = "{0} nodes, {1} replicas, {2} hosts, interleaved")
  @CsvSource({"6,1,3", "9,2,3", "12,1,3", "8,1,4", "12,2,4", "6,1,2"})
  void noReplicaSharesAFailureDomainWithItsPrimaryWhenHostsInterleave(
      int n, int replicas, int hosts) {
    List<ShardLayout> layout = CreatePlanner.layout(nodes(n, i -> "host-" + (i % hosts)), replicas);
    for (ShardLayout s : layout) {
      assertThat(s.replicas())
          .noneMatch(r -> r.failureDomain().equals(s.primary().failureDomain()));
    }
  }

  @ParameterizedTest(name = "{0} nodes, {1} replicas, {2} hosts")
  @CsvSource({"9,2,3", "12,3,4", "18,2,3", "24,2,3", "12,2,4", "16,3,4", "15,2,5"})
  void eachShardSpreadsOverDomainsWhenThereAreEnough(int n, int replicas, int hosts) {
    // No host holds more nodes than there are shards, so no shard needs two nodes on one host.
    int perHost = n / hosts;
    List<ShardLayout> layout =
        CreatePlanner.layout(nodes(n, i -> "host-" + (i / perHost)), replicas);
    for (ShardLayout s : layout) {
      List<String> domains = new ArrayList<>();
      domains.add(s.primary().failureDomain());
      s.replicas().forEach(r -> domains.add(r.failureDomain()));
      assertThat(domains).as("shard of %s", s.primary().address()).doesNotHaveDuplicates();
    }
  }

  @Test
  void noReplicaSharesItsPrimarysDomainWheneverThatIsPossible() {
    // Seeded random layouts in which no domain holds more nodes than there are shards: then every
    // shard can have all its nodes in distinct domains, so a replica next to its primary is a
    // planner fault.
    Random random = new Random(20240611);
    int checked = 0;
    while (checked < 500) {
      int replicas = random.nextInt(4);
      int shards = 3 + random.nextInt(8);
      int n = shards * (replicas + 1) + random.nextInt(replicas + 1);
      int hosts = 1 + random.nextInt(8);
      int[] host = random.ints(n, 0, hosts).toArray();
      int[] perHost = new int[hosts];
      for (int h : host) {
        perHost[h]++;
      }
      if (java.util.Arrays.stream(perHost).max().orElseThrow() > shards) {
        continue;
      }
      checked++;
      List<Candidate> nodes = nodes(n, i -> "host-" + host[i]);
      Collections.shuffle(nodes, random);
      List<ShardLayout> layout = CreatePlanner.layout(nodes, replicas);
      assertThat(allNodes(layout)).hasSize(n);
      assertThat(layout).hasSize(shards);
      for (ShardLayout s : layout) {
        assertThat(s.replicas().size()).isBetween(replicas, replicas + 1);
        assertThat(s.replicas())
            .as(
                "%d nodes on hosts %s, %d replicas",
                n, java.util.Arrays.toString(perHost), replicas)
            .noneMatch(r -> r.failureDomain().equals(s.primary().failureDomain()));
      }
    }
  }

  @Test
  void layoutDoesNotDependOnTheOrderNodesAreGiven() {
    List<Candidate> nodes = nodes(12, i -> "host-" + (i % 4));
    List<ShardLayout> expected = CreatePlanner.layout(nodes, 2);
    List<Candidate> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, new Random(3));
    assertThat(CreatePlanner.layout(shuffled, 2)).isEqualTo(expected);
  }

  @Test
  void nodesOnDistinctHostsAreLaidOutInAddressOrder() {
    // What a local cluster on distinct loopback addresses gets: primaries first, then replicas in
    // turn.
    List<ShardLayout> layout = CreatePlanner.layout(nodes(7, i -> "host-" + i), 1);
    assertThat(layout)
        .extracting(s -> s.primary().address().port())
        .containsExactly(7000, 7001, 7002);
    assertThat(layout)
        .extracting(s -> s.replicas().stream().map(r -> r.address().port()).toList())
        .containsExactly(List.of(7003, 7006), List.of(7004), List.of(7005));
  }

  @Test
  void primariesSpreadOverDomains() {
    List<ShardLayout> layout = CreatePlanner.layout(nodes(6, i -> "host-" + (i / 2)), 1);
    assertThat(layout)
        .extracting(s -> s.primary().failureDomain())
        .containsExactlyInAnyOrder("host-0", "host-1", "host-2");
  }

  @Test
  void allNodesInOneDomainStillWorks() {
    List<Candidate> nodes = oneHost(6);
    List<ShardLayout> layout = CreatePlanner.layout(nodes, 1);
    assertThat(layout).hasSize(3).allSatisfy(s -> assertThat(s.replicas()).hasSize(1));
    assertThat(allNodes(layout)).containsExactlyInAnyOrderElementsOf(nodes);
  }

  @Test
  void leftoverNodesBecomeExtraReplicas() {
    // 11 / 3 = 3 shards of 3 nodes, and 2 nodes left over become third replicas of two shards.
    List<ShardLayout> layout = CreatePlanner.layout(nodes(11, i -> "host-" + (i % 3)), 2);
    assertThat(layout).hasSize(3);
    assertThat(layout).extracting(s -> s.replicas().size()).containsExactlyInAnyOrder(3, 3, 2);
    assertThat(allNodes(layout)).hasSize(11);
    // 7 nodes, 1 replica: 3 shards, one with a second replica.
    layout = CreatePlanner.layout(oneHost(7), 1);
    assertThat(layout).extracting(s -> s.replicas().size()).containsExactlyInAnyOrder(2, 1, 1);
  }

  @Test
  void stepsFollowTheCreationOrder() {
    List<Candidate> nodes = nodes(6, i -> "host-" + (i % 3));
    List<ShardLayout> layout = CreatePlanner.layout(nodes, 1);
    List<Step> steps = CreatePlanner.steps(layout);

    List<String> kinds = steps.stream().map(s -> s.getClass().getSimpleName()).toList();
    // Collapse runs of the same kind: the order in which kinds appear.
    List<String> phases = new ArrayList<>();
    for (String k : kinds) {
      if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(k)) {
        phases.add(k);
      }
    }
    assertThat(phases)
        .containsExactly(
            "SetConfigEpoch",
            "AssignSlots",
            "Meet",
            "AwaitAgreement",
            "Replicate",
            "AwaitAgreement",
            "AwaitClusterOk",
            "AwaitReplicasInSync");

    assertThat(steps).filteredOn(Step.SetConfigEpoch.class::isInstance).hasSize(6);
    assertThat(steps).filteredOn(Step.AssignSlots.class::isInstance).hasSize(3);
    assertThat(steps).filteredOn(Step.Replicate.class::isInstance).hasSize(3);
  }

  @Test
  void everyNodeGetsADistinctEpoch() {
    List<Step> steps = CreatePlanner.steps(CreatePlanner.layout(oneHost(9), 2));
    List<Step.SetConfigEpoch> epochs =
        steps.stream()
            .filter(Step.SetConfigEpoch.class::isInstance)
            .map(Step.SetConfigEpoch.class::cast)
            .toList();
    assertThat(epochs).hasSize(9);
    assertThat(epochs).extracting(Step.SetConfigEpoch::node).doesNotHaveDuplicates();
    assertThat(epochs)
        .extracting(Step.SetConfigEpoch::epoch)
        .doesNotHaveDuplicates()
        .allMatch(e -> e > 0);
  }

  @Test
  void assignSlotsMatchesTheLayout() {
    List<ShardLayout> layout = CreatePlanner.layout(oneHost(6), 1);
    List<Step.AssignSlots> assigns =
        CreatePlanner.steps(layout).stream()
            .filter(Step.AssignSlots.class::isInstance)
            .map(Step.AssignSlots.class::cast)
            .toList();
    assertThat(assigns)
        .extracting(Step.AssignSlots::node)
        .containsExactlyElementsOf(layout.stream().map(s -> s.primary().address()).toList());
    assertThat(assigns)
        .extracting(Step.AssignSlots::slots)
        .containsExactlyElementsOf(layout.stream().map(ShardLayout::slots).toList());
  }

  @ParameterizedTest
  @CsvSource({"3,0", "6,1", "7,1", "12,2"})
  void meetsFormAFullMesh(int n, int replicas) {
    List<Candidate> nodes = oneHost(n);
    Map<NodeAddress, Integer> busPorts =
        nodes.stream().collect(Collectors.toMap(Candidate::address, Candidate::busPort));
    List<Step.Meet> meets =
        CreatePlanner.steps(CreatePlanner.layout(nodes, replicas)).stream()
            .filter(Step.Meet.class::isInstance)
            .map(Step.Meet.class::cast)
            .toList();
    assertThat(meets).hasSize(n * (n - 1) / 2);
    Set<Set<NodeAddress>> pairs = new HashSet<>();
    for (Step.Meet m : meets) {
      assertThat(m.node()).isNotEqualTo(m.other());
      assertThat(m.otherBusPort()).isEqualTo(busPorts.get(m.other()));
      pairs.add(Set.of(m.node(), m.other()));
    }
    assertThat(pairs).hasSize(n * (n - 1) / 2);
  }

  @Test
  void replicasFollowTheirPlannedPrimary() {
    List<ShardLayout> layout = CreatePlanner.layout(nodes(9, i -> "host-" + (i % 3)), 2);
    List<Step.Replicate> replicates =
        CreatePlanner.steps(layout).stream()
            .filter(Step.Replicate.class::isInstance)
            .map(Step.Replicate.class::cast)
            .toList();
    assertThat(replicates).hasSize(6);
    for (ShardLayout s : layout) {
      for (Candidate r : s.replicas()) {
        assertThat(replicates)
            .contains(new Step.Replicate(r.address(), s.primary().id(), s.primary().address()));
      }
    }
    // The agreement wait that precedes replication waits for every node.
    Step.AwaitAgreement first =
        CreatePlanner.steps(layout).stream()
            .filter(Step.AwaitAgreement.class::isInstance)
            .map(Step.AwaitAgreement.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(first.nodes()).hasSize(9);
  }
}
