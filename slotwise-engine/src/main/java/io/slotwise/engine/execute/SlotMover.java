package io.slotwise.engine.execute;

import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves the keys of one open slot, one batch at a time, for repairs ({@code fix}); the fast path
 * for planned moves is {@link SlotMigrator}. {@link #finish} assigns a slot to its new owner:
 * target first, then the source, then every other primary.
 *
 * <p>When a key already exists on the target (BUSYKEY): if both copies are the same ({@code DUMP}
 * payloads equal, as after a MIGRATE retried once its first attempt had landed) the key moves with
 * {@code REPLACE} and nothing is said. If they differ, the source's copy wins, being the one
 * clients wrote to; the conflict is reported as a {@link KeyConflict}, and the target's copy is
 * kept under a new name in the same slot only when the caller asked for it ({@code
 * keepConflictingCopies}); otherwise it is replaced.
 */
public final class SlotMover {
  static final int KEYS_PER_BATCH = 100;
  static final long MIGRATE_TIMEOUT_MILLIS = 60_000;

  private final NodeDirectory admin;
  private final Consumer<String> warnings;
  private final boolean keepConflictingCopies;
  private final Consumer<KeyConflict> conflicts;

  public SlotMover(NodeDirectory admin, Consumer<String> warnings) {
    this(admin, warnings, false, c -> {});
  }

  /**
   * @param keepConflictingCopies keep the target's differing copy of a key under a new name
   * @param conflicts hears every key whose two copies differed (after the warning is given)
   */
  public SlotMover(
      NodeDirectory admin,
      Consumer<String> warnings,
      boolean keepConflictingCopies,
      Consumer<KeyConflict> conflicts) {
    this.admin = admin;
    this.warnings = warnings;
    this.keepConflictingCopies = keepConflictingCopies;
    this.conflicts = conflicts;
  }

  /** Moves every key of the slot from src to dst; both sides must have the slot open. */
  public long drain(int slot, NodeClient src, NodeClient dst) {
    long moved = 0;
    while (true) {
      List<byte[]> keys = src.keysInSlot(slot, KEYS_PER_BATCH);
      if (keys.isEmpty()) {
        return moved;
      }
      try {
        src.migrate(dst.address(), keys, false, MIGRATE_TIMEOUT_MILLIS);
        moved += keys.size();
      } catch (RedisAdminException e) {
        if (!e.is(RedisErrorKind.BUSYKEY)) {
          throw e;
        }
        moved += resolveBusyKeys(slot, src, dst, keys);
      }
    }
  }

  /**
   * After MIGRATE answered BUSYKEY for a batch: the keys of that batch still on the source are the
   * ones the target has too. Identical copies are replaced silently; differing ones are reported,
   * and the target's copy is renamed first when asked for. Then those keys move with {@code
   * REPLACE}. Call only when no other MIGRATE of the slot is in flight.
   *
   * @return the keys of the batch, all of which are now on the target
   */
  public long resolveBusyKeys(int slot, NodeClient src, NodeClient dst, List<byte[]> batch) {
    List<byte[]> left = new ArrayList<>();
    for (byte[] k : batch) {
      if (src.existsHere(k)) {
        left.add(k);
      }
    }
    for (byte[] k : left) {
      byte[] theirs = dst.dumpImporting(k);
      if (theirs == null || Arrays.equals(theirs, src.dump(k))) {
        continue;
      }
      String kept = null;
      if (keepConflictingCopies) {
        byte[] keptName = keptName(k, slot);
        dst.renameImporting(k, keptName);
        kept = printable(keptName);
      }
      KeyConflict c = new KeyConflict(printable(k), slot, src.address(), dst.address(), kept);
      warnings.accept(c.describe());
      conflicts.accept(c);
    }
    if (!left.isEmpty()) {
      // The source's copy wins: clients wrote to it.
      src.migrate(dst.address(), left, true, MIGRATE_TIMEOUT_MILLIS);
    }
    return batch.size();
  }

  /** A new key name in the same slot, for the copy of a key that lost a BUSYKEY conflict. */
  static byte[] keptName(byte[] key, int slot) {
    String base =
        new String(key, StandardCharsets.ISO_8859_1)
            + ":slotwise-busykey:"
            + System.currentTimeMillis();
    for (long i = 0; ; i++) {
      byte[] candidate = (base + ":" + i).getBytes(StandardCharsets.ISO_8859_1);
      if (HashSlots.slotOf(candidate) == slot) {
        return candidate;
      }
    }
  }

  /**
   * How many times in all {@code SETSLOT NODE} is issued to a node that answers {@code NOREPLICAS}:
   * Valkey 8 holds the command until the node's replicas have it and, when they do not within 2 s,
   * refuses it having applied nothing. About 20 s of waiting for replicas.
   */
  static final int SETSLOT_ATTEMPTS = 10;

  /** Assigns the slot to the target everywhere: target first, then source, then the others. */
  public void finish(
      int slot,
      String targetId,
      NodeClient dst,
      NodeClient src,
      Collection<NodeAddress> otherPrimaries) {
    setSlotNode(dst, slot, targetId);
    if (src != null) {
      setSlotNode(src, slot, targetId);
    }
    for (NodeAddress a : otherPrimaries) {
      if (a.equals(dst.address()) || (src != null && a.equals(src.address()))) {
        continue;
      }
      try {
        setSlotNode(admin.node(a), slot, targetId);
      } catch (RedisAdminException e) {
        // Gossip carries the new owner to a node we could not tell directly.
        warnings.accept("could not tell " + a + " about slot " + slot + ": " + e.getMessage());
      }
    }
  }

  /** {@code SETSLOT NODE}, issued again while the node answers {@code NOREPLICAS}. */
  private static void setSlotNode(NodeClient node, int slot, String ownerId) {
    for (int attempt = 1; ; attempt++) {
      try {
        node.setSlotNode(slot, ownerId);
        return;
      } catch (RedisAdminException e) {
        if (!e.is(RedisErrorKind.NOREPLICAS) || attempt >= SETSLOT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  static String printable(byte[] key) {
    String s = new String(key, StandardCharsets.UTF_8);
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
