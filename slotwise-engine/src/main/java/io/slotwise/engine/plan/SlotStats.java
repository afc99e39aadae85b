package io.slotwise.engine.plan;

import io.slotwise.engine.topology.HashSlots;

/** Keys and estimated bytes in each of the 16384 slots. */
public record SlotStats(long[] keys, long[] bytes) {
  public SlotStats {
    if (keys.length != HashSlots.COUNT || bytes.length != HashSlots.COUNT) {
      throw new IllegalArgumentException("slot stats need one entry per slot");
    }
  }

  public static SlotStats empty() {
    return new SlotStats(new long[HashSlots.COUNT], new long[HashSlots.COUNT]);
  }

  /** The weight of a slot for a balancing mode. */
  public long weight(BalanceBy by, int slot) {
    return switch (by) {
      case SLOTS -> 1;
      case KEYS -> keys[slot];
      case MEMORY -> bytes[slot];
    };
  }
}
