package io.slotwise.engine.execute;

import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.Candidate;
import io.slotwise.engine.plan.CreatePlanner;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.plan.ShardLayout;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Forms a cluster from fresh nodes: checks every node first (reachable, cluster-enabled, empty,
 * alone), so bad input changes nothing, then runs the {@link CreatePlanner} steps.
 *
 * <p>Replicas of fresh primaries have nothing to copy, yet Redis waits {@code
 * repl-diskless-sync-delay} (5 s by default) before it starts a diskless sync. The creator sets the
 * delay to 0 on the new primaries while their first replicas attach and restores it afterwards.
 *
 * <p>Likewise, a primary that saw itself in a minority while the nodes were meeting waits {@code
 * min(cluster-node-timeout, 5 s)} before it says {@code cluster_state:ok} (Redis's rejoin delay).
 * The creator lowers {@code cluster-node-timeout} to 1 s on the fresh nodes while they form the
 * cluster and restores each node's value once the cluster is ok and the replicas are in sync.
 */
public final class ClusterCreator {
  private static final String SYNC_DELAY = "repl-diskless-sync-delay";
  static final String NODE_TIMEOUT = "cluster-node-timeout";
  /** During formation only; see the class comment. */
  static final long FORMING_NODE_TIMEOUT = 1000;

  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final StepExecutor executor;
  private final java.util.function.Consumer<String> progress;

  public ClusterCreator(RedisAdmin admin, ClusterObserver observer, Waiter waiter, java.util.function.Consumer<String> progress) {
    this.admin = admin;
    this.observer = observer;
    this.executor = new StepExecutor(admin, observer, waiter, progress);
    this.progress = progress;
  }

  /**
   * Validates the nodes and lays out the cluster without changing anything.
   *
   * @param failureDomain maps a node to its failure domain (host, zone)
   */
  public List<ShardLayout> plan(List<NodeAddress> nodes, int replicas, Function<NodeAddress, String> failureDomain) {
    if (new LinkedHashSet<>(nodes).size() != nodes.size()) {
      throw new PlanningException("the same node is listed twice");
    }
    ClusterView view = observer.observeOnly(nodes);
    List<Candidate> candidates = new ArrayList<>();
    for (NodeAddress a : nodes) {
      NodeReport r = view.report(a).orElseThrow();
      if (!r.reachable()) {
        String e = r.error();
        if (e.contains("cluster support disabled")) {
          throw new PlanningException(a + " is not running in cluster mode (cluster-enabled no)");
        }
        throw new PlanningException(e);
      }
      if (r.known().size() > 1 || !r.self().slots().isEmpty()) {
        throw new PlanningException(a + " already belongs to a cluster (it knows " + (r.known().size() - 1)
            + " other nodes and owns " + r.self().slots().size() + " slots); use a fresh node or CLUSTER RESET it");
      }
      if (r.keys() > 0) {
        throw new PlanningException(a + " holds " + r.keys() + " keys; only empty nodes can form a cluster");
      }
      candidates.add(new Candidate(a, r.self().busPort(), r.id(), failureDomain.apply(a)));
    }
    return CreatePlanner.layout(candidates, replicas);
  }

  /** Forms the cluster laid out by {@link #plan}; waits until it is ok and replicas are in sync. */
  public void create(List<ShardLayout> layout) {
    Map<NodeAddress, String> savedTimeout = new HashMap<>();
    for (ShardLayout s : layout) {
      List<NodeAddress> shard = new ArrayList<>();
      shard.add(s.primary().address());
      s.replicas().forEach(r -> shard.add(r.address()));
      for (NodeAddress a : shard) {
        try {
          String v = admin.node(a).configGet(NODE_TIMEOUT).get(NODE_TIMEOUT);
          if (v != null && Long.parseLong(v) > FORMING_NODE_TIMEOUT) {
            admin.node(a).configSet(NODE_TIMEOUT, Long.toString(FORMING_NODE_TIMEOUT));
            savedTimeout.put(a, v);
          }
        } catch (RedisAdminException | NumberFormatException e) {
          progress.accept("could not lower " + NODE_TIMEOUT + " on " + a + " for the formation; it will take longer");
        }
      }
    }
    Map<NodeAddress, String> savedDelay = new HashMap<>();
    for (ShardLayout s : layout) {
      if (s.replicas().isEmpty()) {
        continue;
      }
      NodeAddress p = s.primary().address();
      try {
        savedDelay.put(p, admin.node(p).configGet(SYNC_DELAY).get(SYNC_DELAY));
        admin.node(p).configSet(SYNC_DELAY, "0");
      } catch (RedisAdminException e) {
        progress.accept("could not lower " + SYNC_DELAY + " on " + p + " (" + e.getMessage() + "); replicas sync at the server's pace");
      }
    }
    try {
      List<Step> steps = CreatePlanner.steps(layout);
      executor.run(steps);
    } finally {
      restore(NODE_TIMEOUT, savedTimeout);
      savedDelay.forEach((p, v) -> {
        if (v != null && !"0".equals(v)) {
          try {
            admin.node(p).configSet(SYNC_DELAY, v);
          } catch (RedisAdminException e) {
            progress.accept("could not restore " + SYNC_DELAY + " on " + p + ": " + e.getMessage());
          }
        }
      });
    }
  }

  private void restore(String parameter, Map<NodeAddress, String> saved) {
    saved.forEach((a, v) -> {
      try {
        admin.node(a).configSet(parameter, v);
      } catch (RedisAdminException e) {
        progress.accept("could not restore " + parameter + " " + v + " on " + a + ": " + e.getMessage());
      }
    });
  }
}
