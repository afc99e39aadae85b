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
import java.util.Optional;
import java.util.Set;

/**
 * Decides the next action that brings a cluster closer to a desired number of shards and replicas
 * per shard. Pure and without memory: it reads the cluster's shape as Redis and the node provider
 * describe it now, and returns one action (or none when the shape is the desired one). Calling it
 * again after the action took effect gives the next one, so a scale is the sequence of answers.
 *
 * <p>Order, first applicable wins:
 *
 * <ol>
 *   <li>No cluster yet: start the nodes it needs, then form it from them.
 *   <li>Start the nodes that are missing: one per missing primary, plus the replicas that the
 *       members (all but the kept primaries) cannot supply.
 *   <li>A fresh node becomes an empty primary while shards are missing, else a replica of the kept
 *       shard with the fewest replicas while one has too few.
 *   <li>Too many shards: drain the leaving primary (empty primaries leave first, then the shards
 *       started last); an empty leaving primary is removed. Redis turns a drained primary and its
 *       replicas into replicas of the node that took its last slot, so they leave in the next step.
 *   <li>A replica moves from a shard with too many to one with too few.
 *   <li>A surplus replica is removed: one that is not in sync first, then the one started last; so
 *       the last in-sync replica of a shard is never removed while it should keep one.
 *   <li>Fresh nodes nobody needs are removed.
 *   <li>Slots move until every kept primary holds its weighted share.
 * </ol>
 *
 * <p>Shards are ordered by the provider order of their oldest node (primary or replica), so the
 * order survives failovers; weights apply in that order.
 */
public final class ScalePlanner {
  private ScalePlanner() {}

  /**
   * A node that is a member of the cluster.
   *
   * @param order its place in the provider's node list; lower is older
   * @param primaryId for a replica, the primary it follows; null for a primary
   * @param slots the slots a primary owns
   * @param inSync for a replica, whether its link to the primary is up and no sync runs
   */
  public record Member(
      String id,
      NodeAddress address,
      int order,
      String primaryId,
      SlotSet slots,
      boolean inSync,
      int group) {
    public Member(
        String id,
        NodeAddress address,
        int order,
        String primaryId,
        SlotSet slots,
        boolean inSync) {
      this(id, address, order, primaryId, slots, inSync, -1);
    }

    public boolean primary() {
      return primaryId == null;
    }
  }

  /**
   * A running, empty node of the provider that belongs to no cluster.
   *
   * @param group the shard the provider keeps it in, or -1 (see {@code ProviderNode.shard})
   */
  public record Fresh(NodeAddress address, int busPort, int order, int group) {
    public Fresh(NodeAddress address, int busPort, int order) {
      this(address, busPort, order, -1);
    }
  }

  /** The cluster's members and the provider's fresh nodes. */
  public record Shape(List<Member> members, List<Fresh> fresh) {}

  /**
   * The shape wanted.
   *
   * @param weights slot weight of each shard in shard order; empty for equal weights
   */
  public record Target(int shards, int replicasPerShard, List<Double> weights) {
    public Target {
      if (shards < CreatePlanner.MIN_SHARDS) {
        throw new PlanningException(
            "a cluster needs at least " + CreatePlanner.MIN_SHARDS + " shards, got " + shards);
      }
      if (replicasPerShard < 0) {
        throw new PlanningException(
            "replicas per shard must be 0 or more, got " + replicasPerShard);
      }
      if (!weights.isEmpty() && weights.size() != shards) {
        throw new PlanningException(
            "weights name " + weights.size() + " shards, but " + shards + " are wanted");
      }
      if (weights.stream().anyMatch(w -> w < 0)) {
        throw new PlanningException("a shard weight must not be negative");
      }
      weights = List.copyOf(weights);
    }

    public int nodes() {
      return shards * (1 + replicasPerShard);
    }

    public double weight(int shard) {
      return weights.isEmpty() ? 1.0 : weights.get(shard);
    }
  }

  /** What to do next; each is one bounded unit of work for an executor. */
  public sealed interface Action {
    /**
     * Start new nodes, one for each entry: the ordinal (in shard order) of the shard the node is
     * meant for, which a provider may use to place or name it; the engine decides roles once the
     * nodes answer.
     */
    record StartNodes(List<Integer> shards) implements Action {
      public StartNodes {
        shards = List.copyOf(shards);
      }

      public int count() {
        return shards.size();
      }
    }

    /** Form a new cluster from exactly these fresh nodes. */
    record Form(List<Fresh> nodes, int replicasPerShard) implements Action {}

    /** Join a fresh node as an empty primary. */
    record AddPrimary(Fresh node) implements Action {}

    /** Join a fresh node as a replica of a primary. */
    record AddReplica(Fresh node, String primaryId) implements Action {}

    /**
     * Move every slot off a primary whose shard leaves, onto the kept primaries by {@code weights}
     * (every slot owner by id; leaving ones weigh 0).
     */
    record DrainPrimary(String primaryId, int slots, Map<String, Double> weights)
        implements Action {}

    /** Make a replica follow another primary. */
    record MoveReplica(String replicaId, String toPrimaryId) implements Action {}

    /** Remove a member that owns no slots from the cluster and stop it. */
    record RemoveNode(String id, NodeAddress address) implements Action {}

    /** Stop a fresh node nobody needs. */
    record RemoveFresh(Fresh node) implements Action {}

    /** Move slots until each primary (by id) holds its weighted share. */
    record BalanceSlots(Map<String, Double> weights) implements Action {}
  }

  /** A primary and its replicas, as they are now. */
  private record Shard(Member primary, List<Member> replicas) {
    /** The provider's shard of the primary, else of a replica; -1 when the provider has none. */
    int group() {
      if (primary.group() >= 0) {
        return primary.group();
      }
      return replicas.stream().mapToInt(Member::group).filter(g -> g >= 0).findFirst().orElse(-1);
    }

    int oldest() {
      int o = primary.order();
      for (Member r : replicas) {
        o = Math.min(o, r.order());
      }
      return o;
    }
  }

  /** The next action, or empty when the cluster has the target shape. */
  public static Optional<Action> next(Shape shape, Target target) {
    List<Fresh> fresh = new ArrayList<>(shape.fresh());
    fresh.sort(Comparator.comparingInt(Fresh::order));
    if (shape.members().isEmpty()) {
      if (fresh.size() < target.nodes()) {
        List<Integer> wanted = new ArrayList<>();
        for (int k = 0; k <= target.replicasPerShard(); k++) {
          for (int i = 0; i < target.shards(); i++) {
            wanted.add(i);
          }
        }
        return Optional.of(new Action.StartNodes(wanted.subList(fresh.size(), target.nodes())));
      }
      return Optional.of(
          new Action.Form(
              List.copyOf(fresh.subList(0, target.nodes())), target.replicasPerShard()));
    }
    List<Shard> shards = shards(shape.members());
    List<Shard> kept = kept(shards, target.shards());
    int r = target.replicasPerShard();
    int primaryDeficit = Math.max(0, target.shards() - shards.size());
    int keptPrimaries = Math.min(shards.size(), target.shards());
    int replicaSupply = shape.members().size() - keptPrimaries;
    int freshNeeded = primaryDeficit + Math.max(0, target.shards() * r - replicaSupply);
    if (fresh.size() < freshNeeded) {
      List<Integer> wanted = new ArrayList<>();
      for (int i = shards.size(); i < target.shards(); i++) {
        wanted.add(i);
      }
      for (int i = 0; i < target.shards(); i++) {
        int have = i < kept.size() ? kept.get(i).replicas().size() : 0;
        int group = i < kept.size() && kept.get(i).group() >= 0 ? kept.get(i).group() : i;
        for (int k = have; k < r; k++) {
          wanted.add(group);
        }
      }
      while (wanted.size() < freshNeeded) {
        wanted.add(0);
      }
      return Optional.of(new Action.StartNodes(wanted.subList(fresh.size(), freshNeeded)));
    }
    Set<Integer> groupsWithShard = new HashSet<>();
    shards.forEach(s -> groupsWithShard.add(s.group()));
    if (!fresh.isEmpty() && primaryDeficit > 0) {
      // A provider that keeps shards apart (a StatefulSet per shard) gets its new shard's primary
      // from that shard's own nodes, the oldest first.
      Fresh primary =
          fresh.stream()
              .filter(f -> f.group() >= 0 && !groupsWithShard.contains(f.group()))
              .findFirst()
              .orElse(fresh.get(0));
      return Optional.of(new Action.AddPrimary(primary));
    }
    Optional<Shard> fewest =
        kept.stream()
            .filter(s -> s.replicas().size() < r)
            .min(Comparator.comparingInt((Shard s) -> s.replicas().size()));
    for (Fresh f : fresh) {
      if (f.group() < 0) {
        continue;
      }
      // A fresh node of a provider's shard replicates that shard's primary, or nobody's.
      Optional<Shard> own =
          kept.stream().filter(s -> s.group() == f.group() && s.replicas().size() < r).findFirst();
      if (own.isPresent()) {
        return Optional.of(new Action.AddReplica(f, own.get().primary().id()));
      }
    }
    Optional<Fresh> ungrouped = fresh.stream().filter(f -> f.group() < 0).findFirst();
    if (ungrouped.isPresent() && fewest.isPresent()) {
      return Optional.of(new Action.AddReplica(ungrouped.get(), fewest.get().primary().id()));
    }
    if (shards.size() > target.shards()) {
      Shard leaving = leavingOrder(shards).get(0);
      Member p = leaving.primary();
      if (!p.slots().isEmpty()) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Shard s : shards) {
          if (!s.primary().slots().isEmpty()) {
            weights.put(s.primary().id(), 0.0);
          }
        }
        for (int i = 0; i < kept.size(); i++) {
          weights.put(kept.get(i).primary().id(), target.weight(i));
        }
        return Optional.of(new Action.DrainPrimary(p.id(), p.slots().size(), weights));
      }
      if (!leaving.replicas().isEmpty() && leaving.group() >= 0) {
        // A provider that removes a shard's nodes newest first takes the replicas before the
        // primary; they hold nothing the primary does not.
        Member newest = leaving.replicas().get(leaving.replicas().size() - 1);
        return Optional.of(new Action.RemoveNode(newest.id(), newest.address()));
      }
      return Optional.of(new Action.RemoveNode(p.id(), p.address()));
    }
    Optional<Shard> most =
        kept.stream()
            .filter(s -> s.replicas().size() > r)
            .max(Comparator.comparingInt((Shard s) -> s.replicas().size()));
    if (most.isPresent() && fewest.isPresent() && most.get().group() < 0) {
      Member moving = surplusReplica(most.get());
      return Optional.of(new Action.MoveReplica(moving.id(), fewest.get().primary().id()));
    }
    if (most.isPresent()) {
      Member going = surplusReplica(most.get());
      return Optional.of(new Action.RemoveNode(going.id(), going.address()));
    }
    if (!fresh.isEmpty()) {
      return Optional.of(new Action.RemoveFresh(fresh.get(fresh.size() - 1)));
    }
    Map<String, Double> weights = new LinkedHashMap<>();
    double total = 0;
    for (int i = 0; i < kept.size(); i++) {
      weights.put(kept.get(i).primary().id(), target.weight(i));
      total += target.weight(i);
    }
    if (total <= 0) {
      throw new PlanningException("every shard has weight 0: nowhere to put the slots");
    }
    // Balanced when each primary is less than one slot away from its exact share: whole slots
    // cannot do better, and a fresh cluster's 5461/5461/5462 needs no move.
    for (Shard k : kept) {
      double exact = HashSlots.COUNT * weights.get(k.primary().id()) / total;
      if (Math.abs(k.primary().slots().size() - exact) >= 1) {
        return Optional.of(new Action.BalanceSlots(weights));
      }
    }
    return Optional.empty();
  }

  /** Primaries with their replicas, in shard order (oldest node first). */
  private static List<Shard> shards(List<Member> members) {
    List<Shard> out = new ArrayList<>();
    for (Member m : members) {
      if (m.primary()) {
        List<Member> replicas =
            members.stream()
                .filter(x -> m.id().equals(x.primaryId()))
                .sorted(Comparator.comparingInt(Member::order))
                .toList();
        out.add(new Shard(m, replicas));
      }
    }
    out.sort(Comparator.comparingInt(Shard::oldest).thenComparing(s -> s.primary().id()));
    return out;
  }

  /**
   * The shards that stay: slot owners before empty primaries, older before newer, up to the target.
   * In a scale-out every shard stays.
   */
  private static List<Shard> kept(List<Shard> shards, int target) {
    if (shards.size() <= target) {
      return shards;
    }
    Set<String> leavingIds = new HashSet<>();
    List<Shard> byLeaving = leavingOrder(shards);
    for (int i = 0; i < shards.size() - target; i++) {
      leavingIds.add(byLeaving.get(i).primary().id());
    }
    return shards.stream().filter(s -> !leavingIds.contains(s.primary().id())).toList();
  }

  /** Empty primaries first (newest first), then slot owners, newest shard first. */
  private static List<Shard> leavingOrder(List<Shard> shards) {
    List<Shard> out = new ArrayList<>(shards);
    out.sort(
        Comparator.comparing((Shard s) -> !s.primary().slots().isEmpty())
            .thenComparing(Comparator.comparingInt(Shard::oldest).reversed()));
    return out;
  }

  /**
   * The replica a shard with too many gives up: out of sync first, then the newest. Of a shard a
   * provider keeps apart, nodes of other shards (left by a drained shard) go first, then the newest
   * of its own, since such a provider removes a shard's nodes newest first.
   */
  private static Member surplusReplica(Shard shard) {
    if (shard.group() >= 0) {
      return shard.replicas().stream()
          .max(
              Comparator.comparing((Member m) -> m.group() != shard.group())
                  .thenComparingInt(Member::order))
          .orElseThrow();
    }
    return shard.replicas().stream()
        .max(Comparator.comparing((Member m) -> !m.inSync()).thenComparingInt(Member::order))
        .orElseThrow();
  }
}
