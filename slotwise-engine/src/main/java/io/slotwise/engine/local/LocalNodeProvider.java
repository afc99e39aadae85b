package io.slotwise.engine.local;

import io.slotwise.engine.converge.NodeProvider;
import io.slotwise.engine.converge.NodeSpec;
import io.slotwise.engine.converge.ProviderNode;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;

/**
 * The local runtime as a {@link NodeProvider}: each node a {@code redis-server} process of a {@link
 * LocalCluster}, in the order of its node index (older first), its loopback address its failure
 * domain. The node list is read from the cluster's folder on every call, so another process that
 * changed the cluster is seen.
 */
public final class LocalNodeProvider implements NodeProvider {
  private final LocalCluster cluster;

  public LocalNodeProvider(LocalCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public List<ProviderNode> nodes() {
    cluster.reload();
    return cluster.nodes().stream()
        .filter(p -> !p.removed())
        .sorted(Comparator.comparingInt(RedisProcess::index))
        .map(LocalNodeProvider::describe)
        .toList();
  }

  private static ProviderNode describe(RedisProcess p) {
    return new ProviderNode("node-" + p.index(), p.address(), p.address().host(), p.alive());
  }

  @Override
  public ProviderNode start(NodeSpec spec) {
    try {
      return describe(cluster.startNewNode());
    } catch (IOException e) {
      throw new LocalClusterException("cannot record a new node: " + e.getMessage());
    }
  }

  @Override
  public void replace(ProviderNode node) {
    cluster.restartNode(process(node));
  }

  @Override
  public void remove(ProviderNode node) {
    try {
      cluster.discardNode(process(node));
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot record the removal of " + node.name() + ": " + e.getMessage());
    }
  }

  private RedisProcess process(ProviderNode node) {
    return cluster
        .node(node.address())
        .orElseThrow(
            () ->
                new LocalClusterException("node " + node.name() + " is not part of this cluster"));
  }
}
