package io.slotwise.engine.health;

/** The kinds of trouble {@link ClusterChecker} names. */
public enum ProblemKind {
  UNREACHABLE_NODE("node cannot be reached"),
  UNCOVERED_SLOTS("slots without a serving owner"),
  OPEN_SLOT("slot left importing or migrating"),
  SLOT_CONFLICT("slot claimed by more than one primary"),
  KEYS_IN_UNOWNED_SLOT("keys on a node that does not own their slot"),
  SLOT_MAP_DISAGREEMENT("nodes disagree on the slot map"),
  ROLE_DISAGREEMENT("nodes disagree on a node's role"),
  FAILED_NODE("node marked failed"),
  PFAIL_NODE("node suspected failing"),
  HANDSHAKE_NODE("node stuck in handshake"),
  ORPHANED_REPLICA("replica whose primary is gone"),
  UNEVEN_REPLICAS("shard with fewer replicas than the rest"),
  REPLICA_NOT_IN_SYNC("replica not in sync with its primary"),
  CLUSTER_STATE_FAIL("node reports cluster_state:fail");

  private final String description;

  ProblemKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
