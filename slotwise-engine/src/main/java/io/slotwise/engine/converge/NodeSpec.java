package io.slotwise.engine.converge;

/**
 * What the engine asks for when it needs a new node.
 *
 * @param shard the ordinal, in shard order, of the shard the node is meant for; a provider may use
 *     it to place or name the node (the operator's StatefulSet per shard), the local runtime
 *     ignores it. The engine decides the node's role once it answers.
 */
public record NodeSpec(int shard) {}
