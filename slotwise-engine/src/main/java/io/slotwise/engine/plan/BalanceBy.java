package io.slotwise.engine.plan;

/** What a rebalance evens out across primaries. */
public enum BalanceBy {
  /** The number of slots (weighted), as {@code redis-cli --cluster rebalance} does. */
  SLOTS,
  /** The number of keys. */
  KEYS,
  /** The bytes the keys take (estimated per slot from sampled {@code MEMORY USAGE}). */
  MEMORY
}
