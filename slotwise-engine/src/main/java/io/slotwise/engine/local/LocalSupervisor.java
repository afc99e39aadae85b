package io.slotwise.engine.local;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One round of keeping a local cluster alive: restarts every node whose process is gone on its own
 * data directory (same node id), and introduces nodes that lost sight of the others.
 */
final class LocalSupervisor {
  private final LocalCluster cluster;

  LocalSupervisor(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * @return what it did, one line an action
   */
  List<String> superviseOnce() {
    cluster.reload();
    List<String> done = new ArrayList<>(cluster.restorePendingConfig());
    List<RedisProcess> nodes = cluster.nodes();
    for (RedisProcess p : nodes) {
      if (!p.alive() && !p.removed()) {
        cluster.processes().start(p, cluster.spec().redisServer());
        cluster.processes().awaitAnswer(p);
        done.add(
            "node "
                + p.index()
                + " ("
                + p.address()
                + ") had stopped; restarted it on its data directory");
      }
    }
    ClusterView view = cluster.observe();
    Set<String> ids = new HashSet<>(view.reachableIds());
    NodeAddress anchor = cluster.addresses().get(0);
    for (NodeReport r : view.reachable()) {
      Set<String> seen = new HashSet<>();
      r.known().stream().filter(k -> !k.handshake()).forEach(k -> seen.add(k.id()));
      if (!seen.containsAll(ids)) {
        RedisProcess other = r.address().equals(anchor) ? nodes.get(1) : nodes.get(0);
        cluster.admin().node(r.address()).meet(other.address(), other.busPort());
        done.add(
            "introduced "
                + r.address()
                + ", which had lost sight of the cluster, to "
                + other.address());
      }
    }
    return done;
  }
}
