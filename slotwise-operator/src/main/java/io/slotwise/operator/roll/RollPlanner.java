package io.slotwise.operator.roll;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The order of a rolling restart, as a pure next-action function over what the pods and Redis say
 * now; the roll keeps no state of its own, so an operator restarted at any point resumes it from
 * the pods' revision annotations.
 *
 * <p>Algorithm: take the lowest shard that has a pod of an old revision, and finish it before the
 * next. Within it:
 *
 * <ol>
 *   <li>wait while any pod of the shard is not Ready; a pod not Ready for longer than the timeout
 *       halts the roll (nothing else is deleted until it is Ready, or the spec is reverted);
 *   <li>wait while any pod of the cluster is Ready but its Redis did not answer, or the nodes'
 *       views disagree or have not settled (a failover still spreading, a replica still syncing): a
 *       role read from a node that did not answer, or from a view about to change, could name a
 *       primary as a replica and restart it;
 *   <li>delete the old replicas one at a time, lowest ordinal first (the caller only asks when the
 *       cluster converged, so the previous one has rejoined and caught up);
 *   <li>then, if the primary is old: {@code CLUSTER FAILOVER} (no FORCE: the primary waits until
 *       the replica has its offset) on the replica with the highest replication offset; its old
 *       primary is now a replica and the next call deletes it;
 *   <li>a shard without replicas can only restart its primary in place: allowed with persistence
 *       (the data is on the volume), refused without (the data would be lost).
 * </ol>
 */
public final class RollPlanner {
  private RollPlanner() {}

  /** One pod as the roll sees it. */
  public record RollPod(
      String name,
      int shard,
      int ordinal,
      boolean outdated,
      boolean ready,
      boolean primary,
      long replicationOffset,
      Duration notReadyFor,
      boolean observed) {

    /** A pod whose Redis answered: its role and offset are what it says of itself. */
    public RollPod(
        String name,
        int shard,
        int ordinal,
        boolean outdated,
        boolean ready,
        boolean primary,
        long replicationOffset,
        Duration notReadyFor) {
      this(name, shard, ordinal, outdated, ready, primary, replicationOffset, notReadyFor, true);
    }
  }

  /** What to do next. */
  public sealed interface Action {
    /** Every pod runs the current revision. */
    record Done() implements Action {}

    /** A pod of the shard being rolled is not Ready yet; ask again later. */
    record Wait(String pod) implements Action {}

    /** A pod stayed not Ready past the timeout. */
    record Halted(String pod, Duration notReadyFor) implements Action {}

    /** The pod's Redis did not answer: nobody can tell its role; ask again later. */
    record Unobserved(String pod) implements Action {}

    /** The nodes' views have not settled (the first problem named); ask again later. */
    record Unsettled(String problem) implements Action {}

    record DeleteReplica(String pod) implements Action {}

    record Failover(String replica, String primary) implements Action {}

    record DeletePrimary(String pod) implements Action {}

    /** The shard cannot be restarted without losing data. */
    record Unsafe(String message) implements Action {}
  }

  public static Action next(List<RollPod> pods, boolean persistent, Duration readyTimeout) {
    return next(pods, List.of(), persistent, readyTimeout);
  }

  /**
   * The next action, given the problems a check of the cluster's current view found ({@code
   * unsettled}, empty when every node agrees and is in sync).
   */
  public static Action next(
      List<RollPod> pods, List<String> unsettled, boolean persistent, Duration readyTimeout) {
    TreeMap<Integer, List<RollPod>> byShard = new TreeMap<>();
    for (RollPod p : pods) {
      byShard.computeIfAbsent(p.shard(), k -> new java.util.ArrayList<>()).add(p);
    }
    for (var e : byShard.entrySet()) {
      List<RollPod> shard = e.getValue();
      if (shard.stream().noneMatch(RollPod::outdated)) {
        continue;
      }
      Optional<RollPod> notReady = shard.stream().filter(p -> !p.ready()).findFirst();
      if (notReady.isPresent()) {
        RollPod p = notReady.get();
        return p.notReadyFor().compareTo(readyTimeout) > 0
            ? new Action.Halted(p.name(), p.notReadyFor())
            : new Action.Wait(p.name());
      }
      Optional<RollPod> unobserved = pods.stream().filter(p -> !p.observed()).findFirst();
      if (unobserved.isPresent()) {
        return new Action.Unobserved(unobserved.get().name());
      }
      if (!unsettled.isEmpty()) {
        return new Action.Unsettled(unsettled.get(0));
      }
      List<RollPod> primaries = shard.stream().filter(RollPod::primary).toList();
      if (primaries.size() != 1) {
        return new Action.Unsettled(
            "shard " + e.getKey() + " has " + primaries.size() + " primaries, not one");
      }
      Optional<RollPod> oldReplica =
          shard.stream()
              .filter(p -> p.outdated() && !p.primary())
              .min(Comparator.comparingInt(RollPod::ordinal));
      if (oldReplica.isPresent()) {
        return new Action.DeleteReplica(oldReplica.get().name());
      }
      RollPod primary = primaries.get(0);
      Optional<RollPod> best =
          shard.stream()
              .filter(p -> !p.primary())
              .max(
                  Comparator.comparingLong(RollPod::replicationOffset)
                      .thenComparing(RollPod::ordinal, Comparator.reverseOrder()));
      if (best.isPresent()) {
        return new Action.Failover(best.get().name(), primary.name());
      }
      if (persistent) {
        return new Action.DeletePrimary(primary.name());
      }
      return new Action.Unsafe(
          "shard "
              + e.getKey()
              + " has no replica and no persistence: restarting its primary would lose its data;"
              + " add a replica (replicasPerShard) or storage first");
    }
    return new Action.Done();
  }
}
