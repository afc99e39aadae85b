package io.slotwise.engine.local;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Changes the number of shards and replicas of a running local cluster. Growing: new nodes start,
 * join as empty primaries (and their replicas), then slots move onto them. Shrinking: the highest
 * shards (by node index) are drained, their nodes leave the cluster and stop.
 */
final class LocalScaler {
  private final LocalCluster cluster;

  LocalScaler(LocalCluster cluster) {
    this.cluster = cluster;
  }

  Rebalancer.Outcome scale(
      int shards, int replicas, SlotMigrator.Options options, MigrationListener listener)
      throws IOException {
    LocalClusterSpec target = cluster.spec().withShards(shards, replicas);
    cluster.reload();
    ClusterView view = cluster.observe();
    if (!view.unreachable().isEmpty()) {
      throw new LocalClusterException(
          "cannot scale while a node is unreachable: " + view.unreachable().get(0).error());
    }
    ClusterObserver observer = cluster.observer();
    Waiter waiter = Waiter.standard();
    NodeMembership membership =
        new NodeMembership(cluster.admin(), observer, waiter, cluster.journal(), cluster.log());
    List<List<RedisProcess>> current = shardsByIndex(view);
    NodeAddress seed = current.get(0).get(0).address();
    Rebalancer rebalancer =
        new Rebalancer(cluster.admin(), observer, waiter, options, listener, cluster.log());
    Rebalancer.Outcome outcome = null;
    if (shards < current.size()) {
      List<List<RedisProcess>> leaving = current.subList(shards, current.size());
      for (List<RedisProcess> shard : leaving) {
        String primaryId = observer.report(shard.get(0).address()).id();
        cluster.log().accept("draining shard of " + shard.get(0).address());
        outcome = rebalancer.drain(seed, primaryId, false);
      }
      List<RedisProcess> removing = new ArrayList<>();
      for (List<RedisProcess> shard : leaving) {
        for (int i = shard.size() - 1; i >= 0; i--) {
          removing.add(shard.get(i));
        }
      }
      removeNodes(membership, seed, removing);
      current = new ArrayList<>(current.subList(0, shards));
    }
    // Replicas per remaining shard.
    for (List<RedisProcess> shard : current) {
      String primaryId = observer.report(shard.get(0).address()).id();
      for (int have = shard.size() - 1; have < replicas; have++) {
        RedisProcess r = startNewNode();
        membership.add(seed, r.address(), primaryId, false);
      }
      if (shard.size() - 1 > replicas) {
        removeNodes(membership, seed, new ArrayList<>(shard.subList(1 + replicas, shard.size())));
      }
    }
    if (shards > current.size()) {
      for (int i = current.size(); i < shards; i++) {
        RedisProcess p = startNewNode();
        String id = membership.add(seed, p.address(), null, false);
        for (int r = 0; r < replicas; r++) {
          RedisProcess rp = startNewNode();
          membership.add(seed, rp.address(), id, false);
        }
      }
      outcome =
          rebalancer.rebalance(
              seed, new Rebalancer.Request(BalanceBy.SLOTS, 0, Map.of(), true, null, false));
    }
    cluster.replaceSpec(target);
    return outcome;
  }

  /**
   * Shards of our nodes: primary first, then its replicas; shards ordered by their lowest node
   * index.
   */
  private List<List<RedisProcess>> shardsByIndex(ClusterView view) {
    List<List<RedisProcess>> out = new ArrayList<>();
    for (ClusterView.Shard s : view.shards()) {
      if (s.primary().self().slots().isEmpty()) {
        continue;
      }
      List<RedisProcess> shard = new ArrayList<>();
      cluster.node(s.primary().address()).ifPresent(shard::add);
      s.replicas().stream()
          .map(r -> cluster.node(r.address()))
          .flatMap(Optional::stream)
          .sorted(Comparator.comparingInt(RedisProcess::index))
          .forEach(shard::add);
      if (!shard.isEmpty()) {
        out.add(shard);
      }
    }
    out.sort(
        Comparator.comparingInt(sh -> sh.stream().mapToInt(RedisProcess::index).min().orElse(0)));
    return out;
  }

  /** Starts one more node (not yet part of the cluster) and records it. */
  RedisProcess startNewNode() throws IOException {
    LocalClusterSpec spec = cluster.spec();
    int index = cluster.nodes().stream().mapToInt(RedisProcess::index).max().orElse(-1) + 1;
    RedisProcess p = LoopbackAllocator.allocate(spec, cluster.block(), index);
    p.writeConfig(spec);
    cluster.addNode(p);
    cluster.processes().start(p, spec.redisServer());
    cluster.processes().awaitAnswer(p);
    cluster.log().accept("started node " + index + " at " + p.address());
    return p;
  }

  private void removeNodes(NodeMembership membership, NodeAddress seed, List<RedisProcess> removing)
      throws IOException {
    for (RedisProcess p : removing) {
      String id = cluster.observer().report(p.address()).id();
      membership.remove(seed, id);
      p.markRemoved();
      cluster.removeNode(p);
      cluster.processes().stop(p);
      NodeProcesses.deleteTree(p.dir());
      cluster.log().accept("stopped node " + p.index() + " at " + p.address());
    }
  }
}
