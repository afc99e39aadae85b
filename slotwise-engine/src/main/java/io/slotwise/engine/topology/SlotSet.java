package io.slotwise.engine.topology;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** An immutable set of hash slots, printed and iterated as contiguous ranges. */
public final class SlotSet {
  public static final SlotSet EMPTY = new SlotSet(new BitSet(HashSlots.COUNT));

  private final BitSet bits;

  private SlotSet(BitSet bits) {
    this.bits = bits;
  }

  public static SlotSet of(BitSet bits) {
    return new SlotSet((BitSet) bits.clone());
  }

  public static SlotSet range(int from, int toInclusive) {
    BitSet b = new BitSet(HashSlots.COUNT);
    b.set(from, toInclusive + 1);
    return new SlotSet(b);
  }

  public static SlotSet all() {
    return range(0, HashSlots.COUNT - 1);
  }

  public static SlotSet ofSlots(Iterable<Integer> slots) {
    BitSet b = new BitSet(HashSlots.COUNT);
    slots.forEach(b::set);
    return new SlotSet(b);
  }

  public boolean contains(int slot) {
    return bits.get(slot);
  }

  public int size() {
    return bits.cardinality();
  }

  public boolean isEmpty() {
    return bits.isEmpty();
  }

  public BitSet toBitSet() {
    return (BitSet) bits.clone();
  }

  public SlotSet union(SlotSet other) {
    BitSet b = toBitSet();
    b.or(other.bits);
    return new SlotSet(b);
  }

  public SlotSet minus(SlotSet other) {
    BitSet b = toBitSet();
    b.andNot(other.bits);
    return new SlotSet(b);
  }

  public SlotSet intersect(SlotSet other) {
    BitSet b = toBitSet();
    b.and(other.bits);
    return new SlotSet(b);
  }

  /** The slots in ascending order. */
  public int[] toArray() {
    return bits.stream().toArray();
  }

  /** The lowest {@code n} slots of this set. */
  public SlotSet first(int n) {
    BitSet b = new BitSet(HashSlots.COUNT);
    int count = 0;
    for (int s = bits.nextSetBit(0); s >= 0 && count < n; s = bits.nextSetBit(s + 1), count++) {
      b.set(s);
    }
    return new SlotSet(b);
  }

  /** Contiguous ranges, each as {@code int[]{from, toInclusive}}. */
  public List<int[]> ranges() {
    List<int[]> out = new ArrayList<>();
    int s = bits.nextSetBit(0);
    while (s >= 0) {
      int e = bits.nextClearBit(s) - 1;
      out.add(new int[] {s, e});
      s = bits.nextSetBit(e + 1);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlotSet other && bits.equals(other.bits);
  }

  @Override
  public int hashCode() {
    return bits.hashCode();
  }

  /** Like {@code 0-5460,5462}; {@code -} when empty. */
  @Override
  public String toString() {
    if (bits.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (int[] r : ranges()) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(r[0]);
      if (r[1] != r[0]) {
        sb.append('-').append(r[1]);
      }
    }
    return sb.toString();
  }
}
