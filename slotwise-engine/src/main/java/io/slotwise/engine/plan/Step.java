package io.slotwise.engine.plan;

import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.List;

/**
 * One idempotent action of a plan. Running a step twice, or running it after a crash that
 * interrupted it, leaves the cluster as running it once would.
 */
public sealed interface Step {

  /** A sentence for progress output and {@code --dry-run}. */
  String describe();

  /** Gives a fresh node a distinct config epoch so that slot claims never collide. */
  record SetConfigEpoch(NodeAddress node, long epoch) implements Step {
    public String describe() {
      return "set config epoch of " + node + " to " + epoch;
    }
  }

  /** Makes a primary the owner of slots nobody owns yet. */
  record AssignSlots(NodeAddress node, SlotSet slots) implements Step {
    public String describe() {
      return "assign slots " + slots + " (" + slots.size() + ") to " + node;
    }
  }

  /** Introduces {@code other} to {@code node}. */
  record Meet(NodeAddress node, NodeAddress other, int otherBusPort) implements Step {
    public String describe() {
      return "introduce " + other + " to " + node;
    }
  }

  /** Waits until these nodes all know each other and agree on who owns which slot. */
  record AwaitAgreement(List<NodeAddress> nodes) implements Step {
    public String describe() {
      return "wait until " + nodes.size() + " nodes agree on members and slots";
    }
  }

  /** Makes a node a replica of a primary. */
  record Replicate(NodeAddress replica, String primaryId, NodeAddress primary) implements Step {
    public String describe() {
      return "make " + replica + " a replica of " + primary;
    }
  }

  /** Waits until every node says {@code cluster_state:ok}. */
  record AwaitClusterOk(List<NodeAddress> nodes) implements Step {
    public String describe() {
      return "wait until every node reports cluster_state:ok";
    }
  }

  /** Waits until every replica among these nodes has its replication link up. */
  record AwaitReplicasInSync(List<NodeAddress> nodes) implements Step {
    public String describe() {
      return "wait until every replica is in sync with its primary";
    }
  }

  /** Removes a node id from one node's table. */
  record Forget(NodeAddress node, String forgottenId) implements Step {
    public String describe() {
      return "make " + node + " forget " + forgottenId;
    }
  }

  /** Promotes a replica. */
  record Failover(NodeAddress replica, FailoverMode mode) implements Step {
    public String describe() {
      return "fail over to "
          + replica
          + (mode == FailoverMode.DEFAULT ? "" : " (" + mode.name().toLowerCase() + ")");
    }
  }
}
