package io.slotwise.engine.execute;

import io.slotwise.engine.topology.NodeAddress;

/**
 * A key that existed on both sides of a slot move with different values. The source's copy won
 * (clients wrote to it); the target's copy was dropped, or kept as {@code keptAs} when asked for.
 *
 * @param key the key's name, printable (binary bytes may be shown replaced)
 * @param keptAs the name the target's copy now has, null when it was dropped
 */
public record KeyConflict(
    String key, int slot, NodeAddress source, NodeAddress target, String keptAs) {
  /** One line for logs and warnings. */
  public String describe() {
    return "key '"
        + key
        + "' of slot "
        + slot
        + " existed on both "
        + source
        + " and "
        + target
        + " with different values; kept the source's copy"
        + (keptAs == null ? ", dropped the target's" : ", the target's is now '" + keptAs + "'");
  }
}
