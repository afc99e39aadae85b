package io.slotwise.engine.local;

import java.io.IOException;

/**
 * Starts new nodes of a local cluster (the convergence step, through {@link LocalNodeProvider},
 * decides what they become; {@link LocalScale} runs a scale).
 */
final class LocalScaler {
  private final LocalCluster cluster;

  LocalScaler(LocalCluster cluster) {
    this.cluster = cluster;
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
}
