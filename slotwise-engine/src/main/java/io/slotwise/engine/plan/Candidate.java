package io.slotwise.engine.plan;

import io.slotwise.engine.topology.NodeAddress;

/**
 * A node the planner may place: its address and cluster-bus port, its id, and its failure domain (a
 * host, a zone; two nodes of one shard should not share one).
 */
public record Candidate(NodeAddress address, int busPort, String id, String failureDomain) {}
