package io.slotwise.engine.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many keys each primary holds in each slot, counted once before a repair is planned (the slots
 * without keys are left out). Whatever gathers it only reads ({@code COUNTKEYSINSLOT}), so taking
 * it is part of observing.
 */
public final class SlotKeys {
  public static final SlotKeys NONE = new SlotKeys(Map.of());

  private final Map<String, Map<Integer, Long>> byNode;

  /**
   * @param byNode node id → slot → key count (zero counts may be left out)
   */
  public SlotKeys(Map<String, Map<Integer, Long>> byNode) {
    Map<String, Map<Integer, Long>> copy = new LinkedHashMap<>();
    byNode.forEach(
        (id, counts) -> {
          Map<Integer, Long> c = new TreeMap<>();
          counts.forEach(
              (slot, n) -> {
                if (n > 0) {
                  c.put(slot, n);
                }
              });
          copy.put(id, Collections.unmodifiableMap(c));
        });
    this.byNode = Collections.unmodifiableMap(copy);
  }

  /** Keys the node holds in the slot; 0 when it holds none or was not counted. */
  public long keys(String nodeId, int slot) {
    return byNode.getOrDefault(nodeId, Map.of()).getOrDefault(slot, 0L);
  }

  /** Slot → count for one node, only slots with keys. */
  public Map<Integer, Long> of(String nodeId) {
    return byNode.getOrDefault(nodeId, Map.of());
  }

  /** Node id → count of the nodes that hold keys in the slot. */
  public Map<String, Long> holders(int slot) {
    Map<String, Long> out = new LinkedHashMap<>();
    byNode.forEach(
        (id, counts) -> {
          Long n = counts.get(slot);
          if (n != null) {
            out.put(id, n);
          }
        });
    return out;
  }

  public Map<String, Map<Integer, Long>> byNode() {
    return byNode;
  }

  @Override
  public String toString() {
    return "SlotKeys" + byNode;
  }
}
