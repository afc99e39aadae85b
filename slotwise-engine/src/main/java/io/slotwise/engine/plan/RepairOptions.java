package io.slotwise.engine.plan;

/**
 * What a repair may do beyond the safe default.
 *
 * @param acceptDataLoss forget a dead primary that owns slots and has no replica, and serve its
 *     slots again from another primary: the keys it held are gone
 * @param takeover promote a replica of a dead primary with {@code CLUSTER FAILOVER TAKEOVER}
 *     (without the other primaries' votes) instead of {@code FORCE} (an election)
 */
public record RepairOptions(boolean acceptDataLoss, boolean takeover) {
  public static final RepairOptions SAFE = new RepairOptions(false, false);
}
