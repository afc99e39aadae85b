package io.slotwise.engine.plan;

import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a new cluster from fresh nodes.
 *
 * <p>Layout: with {@code n} nodes and {@code r} replicas per shard there are {@code n / (r + 1)}
 * shards (at least 3). Primaries are taken round-robin across failure domains, most populous first,
 * so they spread over hosts. Replicas are then handed out in rounds, one per shard and round. A
 * domain is under pressure when its unused nodes plus the replicas still owed to the shards that
 * already hold it are many: the shard holding the domain under most pressure is served first, from
 * the domain under most pressure among those that hold no node of the shard yet; only when every
 * remaining node shares a domain with the shard is that rule given up. Nodes left over become extra
 * replicas of the shards that hold fewest nodes of their domain, in a last, partial round. Slots
 * are split into contiguous, near-equal ranges.
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
      throw new PlanningException("replicas per shard must be 0 or more, got " + replicas);
    }
    int shards = nodes.size() / (replicas + 1);
    if (shards < MIN_SHARDS) {
      throw new PlanningException(
          "a cluster needs at least "
              + MIN_SHARDS
              + " primaries: "
              + (MIN_SHARDS * (replicas + 1))
              + " nodes for "
              + replicas
              + " replicas per shard, got "
              + nodes.size());
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
      // One round gives every shard one more replica (the last round only some). Serving shards in
      // index order fails: with 2 nodes on each of 3 hosts the last shard is left with a node of
      // its
      // own host. So serve the shard under the most pressure first, from the domain under the most.
      List<Integer> unserved = new ArrayList<>();
      for (int i = 0; i < shards; i++) {
        unserved.add(i);
      }
      while (remaining > 0 && !unserved.isEmpty()) {
        Map<String, Integer> pressure =
            pressure(byDomain, unserved, primaries, replicaLists, replicas);
        int shard =
            remaining < unserved.size()
                ? leastCrowded(byDomain, unserved, primaries, replicaLists)
                : mostConstrained(byDomain, pressure, unserved, primaries, replicaLists);
        unserved.remove(Integer.valueOf(shard));
        replicaLists
            .get(shard)
            .add(pickReplica(byDomain, pressure, primaries.get(shard), replicaLists.get(shard)));
        remaining--;
      }
    }
    List<ShardLayout> out = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      int from = (int) ((long) i * HashSlots.COUNT / shards);
      int to = (int) ((long) (i + 1) * HashSlots.COUNT / shards) - 1;
      out.add(
          new ShardLayout(
              primaries.get(i), SlotSet.range(from, to), List.copyOf(replicaLists.get(i))));
    }
    return out;
  }

  /**
   * The layout a provider already decided: the nodes of each shard it names form that shard, the
   * first of them (in list order) its primary; slots are split evenly in shard order.
   */
  public static List<ShardLayout> layoutByShard(
      List<Candidate> nodes, int replicas, java.util.function.ToIntFunction<Candidate> shardOf) {
    Map<Integer, List<Candidate>> byShard = new java.util.TreeMap<>();
    for (Candidate c : nodes) {
      byShard.computeIfAbsent(shardOf.applyAsInt(c), k -> new ArrayList<>()).add(c);
    }
    if (byShard.size() < MIN_SHARDS) {
      throw new PlanningException(
          "a cluster needs at least "
              + MIN_SHARDS
              + " primaries, got "
              + byShard.size()
              + " shards");
    }
    for (var e : byShard.entrySet()) {
      if (e.getValue().size() != replicas + 1) {
        throw new PlanningException(
            "shard "
                + e.getKey()
                + " has "
                + e.getValue().size()
                + " nodes; "
                + (replicas + 1)
                + " are needed for "
                + replicas
                + " replicas per shard");
      }
    }
    int shards = byShard.size();
    List<ShardLayout> out = new ArrayList<>();
    int i = 0;
    for (List<Candidate> members : byShard.values()) {
      int from = (int) ((long) i * HashSlots.COUNT / shards);
      int to = (int) ((long) (i + 1) * HashSlots.COUNT / shards) - 1;
      out.add(
          new ShardLayout(
              members.get(0),
              SlotSet.range(from, to),
              List.copyOf(members.subList(1, members.size()))));
      i++;
    }
    return out;
  }

  private static List<String> domainsByRemaining(Map<String, List<Candidate>> byDomain) {
    List<String> domains = new ArrayList<>(byDomain.keySet());
    domains.sort(Comparator.comparing((String d) -> -byDomain.get(d).size()));
    return domains;
  }

  private static List<String> usedDomains(Candidate primary, List<Candidate> shardReplicas) {
    List<String> used = new ArrayList<>();
    used.add(primary.failureDomain());
    shardReplicas.forEach(r -> used.add(r.failureDomain()));
    return used;
  }

  /**
   * Per domain: its unused nodes plus the replicas still owed to the shards that already hold one
   * of its nodes. While no domain's pressure exceeds the number of unused nodes, every shard can
   * still get its replicas from domains it does not hold yet; lowering the highest pressure first
   * tends to keep it so (exactly so within one round).
   */
  private static Map<String, Integer> pressure(
      Map<String, List<Candidate>> byDomain,
      List<Integer> unserved,
      List<Candidate> primaries,
      List<List<Candidate>> replicaLists,
      int replicas) {
    Map<String, Integer> out = new LinkedHashMap<>();
    byDomain.forEach((d, list) -> out.put(d, list.size()));
    for (int i = 0; i < primaries.size(); i++) {
      int have = replicaLists.get(i).size();
      int need = have < replicas ? replicas - have : unserved.contains(i) ? 1 : 0;
      for (String d : new HashSet<>(usedDomains(primaries.get(i), replicaLists.get(i)))) {
        out.merge(d, need, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The unserved shard holding the domain under most pressure; then the one with fewest allowed
   * nodes.
   */
  private static int mostConstrained(
      Map<String, List<Candidate>> byDomain,
      Map<String, Integer> pressure,
      List<Integer> unserved,
      List<Candidate> primaries,
      List<List<Candidate>> replicaLists) {
    int best = -1;
    int bestPressure = -1;
    int bestAllowed = Integer.MAX_VALUE;
    for (int i : unserved) {
      List<String> used = usedDomains(primaries.get(i), replicaLists.get(i));
      int p = used.stream().mapToInt(d -> pressure.getOrDefault(d, 0)).max().orElse(0);
      int allowed =
          byDomain.entrySet().stream()
              .filter(e -> !used.contains(e.getKey()))
              .mapToInt(e -> e.getValue().size())
              .sum();
      if (p > bestPressure || (p == bestPressure && allowed < bestAllowed)) {
        best = i;
        bestPressure = p;
        bestAllowed = allowed;
      }
    }
    return best;
  }

  /**
   * In the last, partial round the shards that get a node are a choice: the unserved shard that
   * holds fewest nodes of the most populous remaining domain, so the leftover node is not forced
   * into a shard that already has its domain.
   */
  private static int leastCrowded(
      Map<String, List<Candidate>> byDomain,
      List<Integer> unserved,
      List<Candidate> primaries,
      List<List<Candidate>> replicaLists) {
    String domain = domainsByRemaining(byDomain).get(0);
    int best = -1;
    long bestUse = Long.MAX_VALUE;
    for (int i : unserved) {
      long use =
          usedDomains(primaries.get(i), replicaLists.get(i)).stream()
              .filter(domain::equals)
              .count();
      if (use < bestUse) {
        best = i;
        bestUse = use;
      }
    }
    return best;
  }

  private static Candidate pickReplica(
      Map<String, List<Candidate>> byDomain,
      Map<String, Integer> pressure,
      Candidate primary,
      List<Candidate> shardReplicas) {
    List<String> used = usedDomains(primary, shardReplicas);
    String pick = null;
    for (String d : domainsByRemaining(byDomain)) {
      if (!byDomain.get(d).isEmpty()
          && !used.contains(d)
          && (pick == null || pressure.get(d) > pressure.get(pick))) {
        pick = d;
      }
    }
    if (pick != null) {
      return byDomain.get(pick).remove(0);
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
