package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The slots a joining node is taught travel as runs of consecutive slots. */
class SlotRangesTest {
  @Test
  void consecutiveSlotsBecomeOneRunInAscendingOrder() {
    assertThat(LettuceSlotPipeline.ranges(List.of(7, 3, 4, 5, 9, 8, 100, 4)))
        .containsExactly(new int[] {3, 5}, new int[] {7, 9}, new int[] {100, 100});
    assertThat(LettuceSlotPipeline.ranges(List.of())).isEmpty();
    assertThat(LettuceSlotPipeline.ranges(List.of(16383)))
        .containsExactly(new int[] {16383, 16383});
  }
}
