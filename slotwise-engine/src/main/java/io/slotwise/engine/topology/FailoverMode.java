package io.slotwise.engine.topology;

/** The flavours of {@code CLUSTER FAILOVER}. */
public enum FailoverMode {
  /** Coordinated with the primary: no acknowledged write is lost. */
  DEFAULT,
  /** Without the primary's agreement, when it is unreachable. */
  FORCE,
  /** Without the agreement of the other primaries either. */
  TAKEOVER
}
