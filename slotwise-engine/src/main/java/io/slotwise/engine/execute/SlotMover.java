package io.slotwise.engine.execute;

import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves the keys of one open slot, one batch at a time, for repairs ({@code fix}); the fast path
 * for planned moves is {@link SlotMigrator}. {@link #finish} assigns a slot to its new owner:
 * target first, then the source, then every other primary.
 *
 * <p>When a key already exists on the target (BUSYKEY), the source's copy wins, being the one
 * clients wrote to, and the target's copy is kept under a new name in the same slot, reported
 * through the listener.
 */
public final class SlotMover {
  static final int KEYS_PER_BATCH = 100;
  static final long MIGRATE_TIMEOUT_MILLIS = 60_000;

  private final RedisAdmin admin;
  private final Consumer<String> warnings;

  public SlotMover(RedisAdmin admin, Consumer<String> warnings) {
    this.admin = admin;
    this.warnings = warnings;
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
        if (!e.getMessage().contains("BUSYKEY")) {
          throw e;
        }
        moved += resolveBusyKeys(slot, src, dst, keys);
      }
    }
  }

  /**
   * After MIGRATE answered BUSYKEY for a batch: the keys of that batch still on the source are the
   * ones the target has too. The target's copies are kept under new names, then those keys move.
   * Call only when no other MIGRATE of the slot is in flight.
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
      if (dst.existsImporting(k)) {
        byte[] kept = keptName(k, slot);
        dst.renameImporting(k, kept);
        warnings.accept(
            "key '"
                + printable(k)
                + "' existed on both "
                + src.address()
                + " and "
                + dst.address()
                + "; kept the source's copy, the target's is now '"
                + printable(kept)
                + "'");
      }
    }
    if (!left.isEmpty()) {
      src.migrate(dst.address(), left, false, MIGRATE_TIMEOUT_MILLIS);
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

  /** Assigns the slot to the target everywhere: target first, then source, then the others. */
  public void finish(
      int slot,
      String targetId,
      NodeClient dst,
      NodeClient src,
      Collection<NodeAddress> otherPrimaries) {
    dst.setSlotNode(slot, targetId);
    if (src != null) {
      src.setSlotNode(slot, targetId);
    }
    for (NodeAddress a : otherPrimaries) {
      if (a.equals(dst.address()) || (src != null && a.equals(src.address()))) {
        continue;
      }
      try {
        admin.node(a).setSlotNode(slot, targetId);
      } catch (RedisAdminException e) {
        // Gossip carries the new owner to a node we could not tell directly.
        warnings.accept("could not tell " + a + " about slot " + slot + ": " + e.getMessage());
      }
    }
  }

  static String printable(byte[] key) {
    String s = new String(key, StandardCharsets.UTF_8);
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
