package io.slotwise.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlotSetTest {

  @Test
  void printsContiguousRangesAndSingleSlots() {
    SlotSet s = SlotSet.range(0, 5460).union(SlotSet.ofSlots(List.of(5462)));
    assertThat(s.toString()).isEqualTo("0-5460,5462");
    assertThat(s.size()).isEqualTo(5462);
    assertThat(SlotSet.EMPTY.toString()).isEqualTo("-");
    assertThat(SlotSet.all().toString()).isEqualTo("0-16383");
  }

  @Test
  void rangesAreAscendingAndInclusive() {
    SlotSet s = SlotSet.ofSlots(List.of(16383, 7, 3, 4, 5, 100));
    assertThat(s.ranges())
        .containsExactly(
            new int[] {3, 5}, new int[] {7, 7}, new int[] {100, 100}, new int[] {16383, 16383});
    assertThat(SlotSet.EMPTY.ranges()).isEmpty();
  }

  @Test
  void unionMinusIntersect() {
    SlotSet a = SlotSet.range(0, 99);
    SlotSet b = SlotSet.range(50, 149);
    assertThat(a.union(b)).isEqualTo(SlotSet.range(0, 149));
    assertThat(a.minus(b)).isEqualTo(SlotSet.range(0, 49));
    assertThat(a.intersect(b)).isEqualTo(SlotSet.range(50, 99));
    assertThat(SlotSet.all().minus(SlotSet.range(100, 200)).toString()).isEqualTo("0-99,201-16383");
    // Operations never change their operands.
    assertThat(a).isEqualTo(SlotSet.range(0, 99));
    assertThat(b).isEqualTo(SlotSet.range(50, 149));
  }

  @Test
  void firstTakesTheLowestSlotsAcrossGaps() {
    SlotSet s = SlotSet.range(10, 12).union(SlotSet.range(20, 30));
    assertThat(s.first(5).toString()).isEqualTo("10-12,20-21");
    assertThat(s.first(0)).isEqualTo(SlotSet.EMPTY);
    assertThat(s.first(1000)).isEqualTo(s);
  }

  @Test
  void ofCopiesTheBitSet() {
    java.util.BitSet bits = new java.util.BitSet();
    bits.set(1);
    SlotSet s = SlotSet.of(bits);
    bits.set(2);
    s.toBitSet().set(3);
    assertThat(s.toArray()).containsExactly(1);
    assertThat(s.contains(1)).isTrue();
    assertThat(s.contains(2)).isFalse();
  }
}
