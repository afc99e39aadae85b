package io.slotwise.engine.converge;

import io.slotwise.engine.failure.Reason;

/**
 * What one {@link ConvergenceStep#step} call found or did: the cluster has the desired topology; it
 * did one bounded unit of work towards it; or it cannot go on without help.
 */
public sealed interface StepResult {

  /** The kinds of work a step does, for progress output and a status condition. */
  enum Phase {
    RESTARTING_NODES,
    STARTING_NODES,
    FORMING_CLUSTER,
    FINISHING_MOVES,
    JOINING_NODES,
    MOVING_SLOTS,
    MOVING_REPLICAS,
    REMOVING_NODES,
    SETTLING
  }

  /** The cluster has the desired shape and the checker finds nothing wrong. */
  record Converged(String summary) implements StepResult {}

  /**
   * One unit of work was done.
   *
   * @param what a sentence about nodes, slots and shards
   * @param done units (nodes, slots) this step completed
   * @param total units of this phase that remained before this step; {@code total - done} remain
   */
  record Progressing(Phase phase, String what, long done, long total) implements StepResult {}

  /**
   * Nothing more can be done now; the reason is a stable code for a status condition.
   *
   * @param message one line about nodes, slots and shards
   */
  record Blocked(Reason reason, String message) implements StepResult {}
}
