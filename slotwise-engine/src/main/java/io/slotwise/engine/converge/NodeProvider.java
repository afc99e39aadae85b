package io.slotwise.engine.converge;

import java.util.List;

/**
 * Decides where nodes run: local processes or Kubernetes pods. It answers which nodes exist, at
 * which address and in which failure domain, and starts, replaces and removes them on request.
 * Everything about slots, roles and data is the engine's ({@link ConvergenceStep}).
 *
 * <p>Failures are {@link io.slotwise.engine.failure.EngineException}s; the step reports them as
 * {@link StepResult.Blocked} with reason {@link
 * io.slotwise.engine.failure.Reason#NODE_START_FAILED}.
 */
public interface NodeProvider {
  /**
   * Every node the provider runs or should run, in the provider's order: older first. The engine
   * removes the newest first and keeps shard order by each shard's oldest node.
   */
  List<ProviderNode> nodes();

  /** Starts a new, empty node and returns it; it answers Redis commands when this returns. */
  ProviderNode start(NodeSpec spec);

  /**
   * Starts again a node that is not running, on its own data where the provider keeps it (same node
   * id), and waits until it answers.
   */
  void replace(ProviderNode node);

  /** Stops a node that is no longer a member of the cluster and frees what it used. */
  void remove(ProviderNode node);
}
