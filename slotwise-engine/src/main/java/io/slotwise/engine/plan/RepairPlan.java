package io.slotwise.engine.plan;

import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.SlotSet;
import java.util.List;
import java.util.Set;

/**
 * What {@link RepairPlanner} decided: repairs in the order they must run, and what cannot be
 * repaired now, with the node it waits for and why. Repairs carry a {@link Repair#stage()}: a stage
 * makes the next one possible (a served slot map lets keys move; settled slots let nodes be
 * forgotten; replicas follow live primaries before their old primary is forgotten), so an executor
 * runs one stage, lets the cluster settle and plans again.
 */
public record RepairPlan(List<Repair> repairs, List<Blocked> blocked) {
  public RepairPlan {
    repairs = List.copyOf(repairs);
    blocked = List.copyOf(blocked);
  }

  public boolean isEmpty() {
    return repairs.isEmpty() && blocked.isEmpty();
  }

  /** The problem a repair addresses, as {@code check} names it. */
  public enum Cause {
    HANDSHAKE_NODE,
    FAILED_NODE,
    UNCOVERED_SLOTS,
    OPEN_SLOT,
    SLOT_CONFLICT,
    KEYS_IN_UNOWNED_SLOT,
    ORPHANED_REPLICA,
    SLOT_MAP_DISAGREEMENT,
    UNEVEN_REPLICAS
  }

  /** Something that cannot be repaired now. */
  public record Blocked(Cause cause, String what, String nodeId, String reason) {
    @Override
    public String toString() {
      return what + ": " + reason;
    }
  }

  /** One repair; {@link #what()} says it in words that name nodes and slots. */
  public sealed interface Repair {
    Cause cause();

    String what();

    /** Stages, in order; see {@link RepairPlan}. */
    int stage();
  }

  static final int DROP_HANDSHAKES = 0;
  static final int PROMOTE = 1;
  static final int COVER = 2;
  static final int SETTLE = 3;
  static final int REPLICATE = 4;
  static final int FORGET = 5;
  static final int BUMP = 6;
  static final int SPREAD = 7;

  /** The reporter forgets a node it only half met. */
  public record DropHandshake(String reporterId, String handshakeId, String what)
      implements Repair {
    public Cause cause() {
      return Cause.HANDSHAKE_NODE;
    }

    public int stage() {
      return DROP_HANDSHAKES;
    }
  }

  /** A replica of a primary that Redis flagged failed is promoted. */
  public record Promote(String replicaId, String deadPrimaryId, FailoverMode mode, String what)
      implements Repair {
    public Cause cause() {
      return Cause.FAILED_NODE;
    }

    public int stage() {
      return PROMOTE;
    }
  }

  /**
   * The node takes slots that no node claims in anyone's view.
   *
   * @param empty the slots among them for which no node holds keys
   */
  public record CoverSlots(String nodeId, SlotSet slots, SlotSet empty, String what)
      implements Repair {
    public Cause cause() {
      return Cause.UNCOVERED_SLOTS;
    }

    public int stage() {
      return COVER;
    }
  }

  /**
   * One slot ends on one owner with every key: the keys of each source move to the owner, then
   * every primary is told the owner, then every node that had the slot open closes it.
   *
   * @param ownerId where the slot and its keys end; null when no node holds keys and nobody owns
   *     the slot (then it is only closed)
   * @param sources nodes whose keys of the slot move to the owner
   * @param closeOn nodes that may still have the slot importing or migrating afterwards
   * @param bumpEpoch the owner bumps its config epoch afterwards (a tie between claimants)
   */
  public record SettleSlot(
      Cause cause,
      int slot,
      String ownerId,
      List<String> sources,
      Set<String> closeOn,
      boolean bumpEpoch,
      String what)
      implements Repair {
    public SettleSlot {
      sources = List.copyOf(sources);
      closeOn = Set.copyOf(closeOn);
    }

    public int stage() {
      return SETTLE;
    }
  }

  /**
   * Every reachable node forgets the node.
   *
   * @param dataLost slots the node owned whose keys are gone with it (only with {@link
   *     RepairOptions#acceptDataLoss()})
   */
  public record Forget(String nodeId, SlotSet dataLost, String what) implements Repair {
    public Cause cause() {
      return Cause.FAILED_NODE;
    }

    public int stage() {
      return FORGET;
    }
  }

  /** A replica follows another primary (it drops its copy of the old primary's data). */
  public record Replicate(Cause cause, String replicaId, String primaryId, String what)
      implements Repair {
    public int stage() {
      return cause == Cause.UNEVEN_REPLICAS ? SPREAD : REPLICATE;
    }
  }

  /** The owner bumps its config epoch so every node accepts its claim. */
  public record BumpEpoch(String nodeId, String what) implements Repair {
    public Cause cause() {
      return Cause.SLOT_MAP_DISAGREEMENT;
    }

    public int stage() {
      return BUMP;
    }
  }
}
