package io.slotwise.operator;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What pods that came back change about the cluster, decided from what every node says (pure, so a
 * unit test can feed it literal views).
 *
 * <ul>
 *   <li>A pod that kept its node id (persistence) but has a new IP is still known to the others at
 *       its old address: each of them is introduced to the new address with {@code CLUSTER MEET}.
 *       Redis matches the node id in the handshake and updates the address it knows. When every pod
 *       restarted at once, nobody can reach anybody, so this is the only way back.
 *   <li>A pod that came back empty is a new node; the node it replaced is a ghost: known to the
 *       members, the node id of no pod, and failed in the view of every member. Only then may a
 *       repair forget it.
 * </ul>
 */
public final class ClusterHealing {
  private ClusterHealing() {}

  /** MEETs that tell members the current address of nodes they know at an old one. */
  public static List<Step.Meet> reintroductions(ClusterView view) {
    List<Step.Meet> meets = new ArrayList<>();
    List<NodeReport> members =
        view.reachable().stream().filter(r -> r.id() != null && r.known().size() > 1).toList();
    for (NodeReport a : members) {
      for (NodeReport b : members) {
        if (a == b) {
          continue;
        }
        NodeRecord known = a.about(b.id()).orElse(null);
        if (known == null || known.handshake()) {
          continue;
        }
        if (known.address() == null || !known.address().equals(b.address())) {
          meets.add(new Step.Meet(a.address(), b.address(), b.self().busPort()));
        }
      }
    }
    return meets;
  }

  /**
   * Node ids known to the members that belong to no pod and that every member that knows them marks
   * failed (or without address): nodes whose pods are gone for good.
   */
  public static Set<String> ghosts(ClusterView view) {
    Set<String> live = liveIds(view);
    Set<String> ghosts = new LinkedHashSet<>();
    for (String id : view.knownIds()) {
      if (live.contains(id)) {
        continue;
      }
      Map<String, NodeRecord> opinions = view.opinionsAbout(id);
      boolean failedEverywhere =
          !opinions.isEmpty()
              && opinions.values().stream().allMatch(r -> r.failed() || r.noAddress());
      if (failedEverywhere) {
        ghosts.add(id);
      }
    }
    return ghosts;
  }

  /** Whether some member knows a node that is neither a pod's node nor a settled ghost. */
  public static boolean unexplainedNodes(ClusterView view, List<NodeAddress> pods) {
    Set<String> live = liveIds(view);
    Set<String> ghosts = ghosts(view);
    return view.knownIds().stream().anyMatch(id -> !live.contains(id) && !ghosts.contains(id));
  }

  /**
   * A primary that owns slots, is down (its pod gone or not answering) and has a replica that
   * answers: Redis promotes that replica by itself within a few node timeouts. Until then the
   * cluster is on its way, not broken; names the primary, or empty when none waits.
   */
  public static java.util.Optional<String> awaitedFailover(ClusterView view) {
    Set<String> live = liveIds(view);
    for (String id : view.knownIds()) {
      if (live.contains(id)) {
        continue;
      }
      Map<String, NodeRecord> opinions = view.opinionsAbout(id);
      boolean ownsSlots =
          opinions.values().stream().anyMatch(r -> r.primary() && !r.slots().isEmpty());
      boolean replicaAnswers =
          view.reachable().stream()
              .anyMatch(r -> r.self().replica() && id.equals(r.self().primaryId()));
      if (ownsSlots && replicaAnswers) {
        NodeRecord any = opinions.values().iterator().next();
        return java.util.Optional.of(any.address() + " (" + id.substring(0, 8) + ")");
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * A node of no pod that some member already suspects or flags failed, but not every member yet:
   * the cluster is noticing that it is gone, and it becomes a ghost (forgotten then) within a few
   * node timeouts. Names it, or empty.
   */
  public static java.util.Optional<String> fadingNode(ClusterView view) {
    Set<String> live = liveIds(view);
    Set<String> ghosts = ghosts(view);
    for (String id : view.knownIds()) {
      if (live.contains(id) || ghosts.contains(id)) {
        continue;
      }
      Map<String, NodeRecord> opinions = view.opinionsAbout(id);
      if (opinions.values().stream().anyMatch(r -> r.failed() || r.possiblyFailed())) {
        NodeRecord any = opinions.values().iterator().next();
        return java.util.Optional.of(any.address() + " (" + id.substring(0, 8) + ")");
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Why a replica should not be asked to take over now, from its own report; null when it may.
   * {@code CLUSTER FAILOVER} refuses a replica without a bus link to its primary ("Master is down
   * or failed"), and a replica that still holds a node for possibly failed would, once primary,
   * count too few reachable primaries, fall to cluster_state:fail and stay there for Redis's rejoin
   * delay (up to 5 s of CLUSTERDOWN for its shard's clients).
   */
  public static String takeOverBlocker(NodeReport replica) {
    if (!replica.reachable()) {
      return "it does not answer";
    }
    if (!replica.self().replica() || !replica.replicationLinkUp()) {
      return "its replication link is not up";
    }
    if (!replica.clusterOk()) {
      return "it reports cluster_state:" + replica.clusterInfo().get("cluster_state");
    }
    var primary = replica.about(replica.self().primaryId());
    if (primary.isEmpty() || !primary.get().linkConnected() || primary.get().failed()) {
      return "it has no cluster bus link to its primary yet";
    }
    for (var rec : replica.known()) {
      if (rec.failed() || rec.possiblyFailed() || rec.handshake()) {
        return "it still sees " + rec.id() + " as " + (rec.handshake() ? "a handshake" : "failing");
      }
    }
    return null;
  }

  /** The ids of the members that answer. */
  private static Set<String> liveIds(ClusterView view) {
    Set<String> live = new LinkedHashSet<>();
    view.reachable().forEach(r -> live.add(r.id()));
    return live;
  }
}
