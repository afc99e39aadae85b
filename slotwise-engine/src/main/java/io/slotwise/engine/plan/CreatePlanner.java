package io.slotwise.engine.plan;

import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a new cluster from fresh nodes.
 *
 * <p>Layout: with {@code n} nodes and {@code r} replicas per shard there are {@code n / (r + 1)}
 * shards (at least 3). Primaries are taken round-robin across failure domains, most populous
 * first, so they spread over hosts. Each replica is then taken from the domain with the most
 * unused nodes among those that hold no node of its shard yet; only when every remaining node
 * shares a domain with the shard is that rule given up. Nodes left over become extra replicas of
 * the shards, in turn. Slots are split into contiguous, near-equal ranges.
 *
 * <p>Steps: distinct config epochs (so slot claims never collide), slots to primaries, a full mesh
 * of MEETs (so membership converges in one gossip round instead of many), wait for agreement,
 * replicas, wait for {@code cluster_state:ok} everywhere, wait for replicas to be in sync.
 */
public final class CreatePlanner {
  public static final int MIN_SHARDS = 3;

  private CreatePlanner() {}

  public static List<ShardLayout> layout(List<Candidate> nodes, int replicas) {
    if (replicas < 0) {
      throw new PlanningException("--replicas must be 0 or more, got " + replicas);
    }
    int shards = nodes.size() / (replicas + 1);
    if (shards < MIN_SHARDS) {
      throw new PlanningException(
          "a cluster needs at least " + MIN_SHARDS + " primaries: " + (MIN_SHARDS * (replicas + 1))
              + " nodes for --replicas " + replicas + ", got " + nodes.size());
    }
    Map<String, List<Candidate>> byDomain = new LinkedHashMap<>();
    nodes.stream()
        .sorted(Comparator.comparing(Candidate::address))
        .forEach(c -> byDomain.computeIfAbsent(c.failureDomain(), k -> new ArrayList<>()).add(c));

    List<Candidate> primaries = new ArrayList<>();
    while (primaries.size() < shards) {
      List<String> domains = domainsByRemaining(byDomain);
      for (String d : domains) {
        if (primaries.size() == shards) {
          break;
        }
        List<Candidate> list = byDomain.get(d);
        if (!list.isEmpty()) {
          primaries.add(list.remove(0));
        }
      }
    }
    List<List<Candidate>> replicaLists = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      replicaLists.add(new ArrayList<>());
    }
    int remaining = nodes.size() - shards;
    while (remaining > 0) {
      for (int i = 0; i < shards && remaining > 0; i++) {
        Candidate pick = pickReplica(byDomain, primaries.get(i), replicaLists.get(i));
        replicaLists.get(i).add(pick);
        remaining--;
      }
    }
    List<ShardLayout> out = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      int from = (int) ((long) i * HashSlots.COUNT / shards);
      int to = (int) ((long) (i + 1) * HashSlots.COUNT / shards) - 1;
      out.add(new ShardLayout(primaries.get(i), SlotSet.range(from, to), List.copyOf(replicaLists.get(i))));
    }
    return out;
  }

  private static List<String> domainsByRemaining(Map<String, List<Candidate>> byDomain) {
    List<String> domains = new ArrayList<>(byDomain.keySet());
    domains.sort(Comparator.comparing((String d) -> -byDomain.get(d).size()));
    return domains;
  }

  private static Candidate pickReplica(Map<String, List<Candidate>> byDomain, Candidate primary, List<Candidate> shardReplicas) {
    List<String> used = new ArrayList<>();
    used.add(primary.failureDomain());
    shardReplicas.forEach(r -> used.add(r.failureDomain()));
    for (String d : domainsByRemaining(byDomain)) {
      if (!byDomain.get(d).isEmpty() && !used.contains(d)) {
        return byDomain.get(d).remove(0);
      }
    }
    // Every remaining node shares a domain with this shard: take the least used domain.
    String best = null;
    long bestUse = Long.MAX_VALUE;
    for (String d : domainsByRemaining(byDomain)) {
      if (byDomain.get(d).isEmpty()) {
        continue;
      }
      long use = used.stream().filter(d::equals).count();
      if (use < bestUse) {
        best = d;
        bestUse = use;
      }
    }
    return byDomain.get(best).remove(0);
  }

  /** The ordered steps that form the cluster laid out by {@link #layout}. */
  public static List<Step> steps(List<ShardLayout> layout) {
    List<Step> steps = new ArrayList<>();
    List<Candidate> all = new ArrayList<>();
    layout.forEach(s -> all.add(s.primary()));
    layout.forEach(s -> all.addAll(s.replicas()));
    List<NodeAddress> addresses = all.stream().map(Candidate::address).toList();
    long epoch = 1;
    for (Candidate c : all) {
      steps.add(new Step.SetConfigEpoch(c.address(), epoch++));
    }
    for (ShardLayout s : layout) {
      steps.add(new Step.AssignSlots(s.primary().address(), s.slots()));
    }
    for (int j = 1; j < all.size(); j++) {
      for (int i = 0; i < j; i++) {
        steps.add(new Step.Meet(all.get(j).address(), all.get(i).address(), all.get(i).busPort()));
      }
    }
    steps.add(new Step.AwaitAgreement(addresses));
    for (ShardLayout s : layout) {
      for (Candidate r : s.replicas()) {
        steps.add(new Step.Replicate(r.address(), s.primary().id(), s.primary().address()));
      }
    }
    steps.add(new Step.AwaitAgreement(addresses));
    steps.add(new Step.AwaitClusterOk(addresses));
    steps.add(new Step.AwaitReplicasInSync(addresses));
    return steps;
  }
}
