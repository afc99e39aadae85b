package io.slotwise.engine.migrate;

import io.slotwise.engine.topology.NodeAddress;

/** One slot to move from a source primary to a target primary. */
public record SlotMove(
    int slot, String sourceId, NodeAddress source, String targetId, NodeAddress target) {}
