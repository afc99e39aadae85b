package io.slotwise.engine.execute;

import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.Candidate;
import io.slotwise.engine.plan.CreatePlanner;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.plan.ShardLayout;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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

  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final StepExecutor executor;
  private final ConfigJournal journal;
  private final java.util.function.Consumer<String> progress;

  public ClusterCreator(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      java.util.function.Consumer<String> progress) {
    this(admin, observer, waiter, ConfigJournal.none(), progress);
  }

  /**
   * @param journal records the values lowered while forming, so a later run can put them back when
   *     this one dies first
   */
  public ClusterCreator(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      ConfigJournal journal,
      java.util.function.Consumer<String> progress) {
    this.admin = admin;
    this.observer = observer;
    this.executor = new StepExecutor(admin, observer, waiter, progress);
    this.journal = journal;
    this.progress = progress;
  }

  /**
   * Validates the nodes and lays out the cluster without changing anything.
   *
   * @param failureDomain maps a node to its failure domain (host, zone)
   */
  public List<ShardLayout> plan(
      List<NodeAddress> nodes, int replicas, Function<NodeAddress, String> failureDomain) {
    return plan(nodes, replicas, failureDomain, null);
  }

  /**
   * As {@link #plan(List, int, Function)}; with {@code shardOf}, the nodes form the shards their
   * provider keeps them in (the first node of each shard in list order is its primary) instead of a
   * layout spread over failure domains.
   */
  public List<ShardLayout> plan(
      List<NodeAddress> nodes,
      int replicas,
      Function<NodeAddress, String> failureDomain,
      Function<NodeAddress, Integer> shardOf) {
    if (new LinkedHashSet<>(nodes).size() != nodes.size()) {
      throw new PlanningException("the same node is listed twice");
    }
    ClusterView view = observer.observeOnly(nodes);
    List<Candidate> candidates = new ArrayList<>();
    for (NodeAddress a : nodes) {
      NodeReport r = view.report(a).orElseThrow();
      if (!r.reachable()) {
        String e = r.error();
        if (RedisErrorKind.inMessage(e) == RedisErrorKind.CLUSTER_DISABLED) {
          throw new PlanningException(a + " is not running in cluster mode (cluster-enabled no)");
        }
        admin.node(a).ping(); // a node that still refuses us throws its typed failure (auth)
        throw new PlanningException(e);
      }
      if (r.known().size() > 1 || !r.self().slots().isEmpty()) {
        throw new PlanningException(
            a
                + " already belongs to a cluster (it knows "
                + (r.known().size() - 1)
                + " other nodes and owns "
                + r.self().slots().size()
                + " slots); use a fresh node or CLUSTER RESET it");
      }
      if (r.keys() > 0) {
        throw new PlanningException(
            a + " holds " + r.keys() + " keys; only empty nodes can form a cluster");
      }
      candidates.add(new Candidate(a, r.self().busPort(), r.id(), failureDomain.apply(a)));
    }
    return shardOf == null
        ? CreatePlanner.layout(candidates, replicas)
        : CreatePlanner.layoutByShard(candidates, replicas, c -> shardOf.apply(c.address()));
  }

  /** Forms the cluster laid out by {@link #plan}; waits until it is ok and replicas are in sync. */
  public void create(List<ShardLayout> layout) {
    try (TemporaryConfig config = new TemporaryConfig(admin, journal, progress)) {
      for (ShardLayout s : layout) {
        config.lower(
            s.primary().address(),
            TemporaryConfig.NODE_TIMEOUT,
            TemporaryConfig.FORMING_NODE_TIMEOUT,
            "forming will take longer");
        for (var r : s.replicas()) {
          config.lower(
              r.address(),
              TemporaryConfig.NODE_TIMEOUT,
              TemporaryConfig.FORMING_NODE_TIMEOUT,
              "forming will take longer");
        }
        if (!s.replicas().isEmpty()) {
          config.lower(
              s.primary().address(),
              TemporaryConfig.SYNC_DELAY,
              0,
              "replicas sync at the server's pace");
        }
      }
      executor.run(CreatePlanner.steps(layout));
    }
  }
}
