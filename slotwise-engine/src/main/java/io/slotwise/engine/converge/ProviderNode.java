package io.slotwise.engine.converge;

import io.slotwise.engine.topology.NodeAddress;

/**
 * A node as its provider knows it: a local process or a pod. What Redis says about it (role, slots,
 * node id) is the engine's business and not part of this.
 *
 * @param name the provider's stable name for the node (a process index, a pod name)
 * @param failureDomain where it runs, for spreading a shard's nodes (a host, a zone)
 * @param running whether the provider runs it now; a node that is not running is replaced
 * @param shard the shard the provider keeps the node in (the operator's StatefulSet per shard), or
 *     -1 when the provider has no say and the engine lays shards out itself
 */
public record ProviderNode(
    String name, NodeAddress address, String failureDomain, boolean running, int shard) {
  /** A node of a provider that leaves the layout of shards to the engine. */
  public ProviderNode(String name, NodeAddress address, String failureDomain, boolean running) {
    this(name, address, failureDomain, running, -1);
  }
}
