package io.slotwise.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.plan.RebalancePlan.PlannedMove;
import io.slotwise.engine.topology.SlotSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReshardPlannerTest {

  @Test
  void sharesFollowOwnershipByLargestRemainder() {
    assertThat(ReshardPlanner.shares(new int[] {5461, 5461, 5462}, 100))
        .containsExactly(33, 33, 34);
    assertThat(ReshardPlanner.shares(new int[] {3, 1}, 2)).containsExactly(2, 0);
    assertThat(ReshardPlanner.shares(new int[] {1, 1, 1}, 2)).containsExactly(1, 1, 0);
  }

  @Test
  void noShareExceedsWhatItsSourceOwns() {
    assertThat(ReshardPlanner.shares(new int[] {1, 1, 10}, 12)).containsExactly(1, 1, 10);
    assertThat(ReshardPlanner.shares(new int[] {0, 4}, 3)).containsExactly(0, 3);
  }

  @Test
  void sharesAlwaysSumToTheCountInARandomSweep() {
    Random random = new Random(7);
    for (int run = 0; run < 500; run++) {
      int[] w = new int[1 + random.nextInt(6)];
      int sum = 0;
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextInt(3000);
        sum += w[i];
      }
      int count = sum == 0 ? 0 : random.nextInt(sum + 1);
      int[] share = ReshardPlanner.shares(w, count);
      int total = 0;
      for (int i = 0; i < w.length; i++) {
        assertThat(share[i]).isBetween(0, w[i]);
        // Never more than one slot away from the exact proportion.
        double exact = sum == 0 ? 0 : (double) count * w[i] / sum;
        assertThat(Math.abs(share[i] - exact)).isLessThan(1.0 + 1e-9);
        total += share[i];
      }
      assertThat(total).isEqualTo(count);
    }
  }

  @Test
  void moreThanTheSourcesOwnIsRefused() {
    assertThatThrownBy(() -> ReshardPlanner.shares(new int[] {2, 3}, 6))
        .isInstanceOf(PlanningException.class)
        .hasMessageContaining("own 5");
  }

  @Test
  void planMovesTheCheapestSlotsOfEachSourceOntoTheTarget() {
    Map<String, SlotSet> owners = new LinkedHashMap<>();
    owners.put("a", SlotSet.range(0, 5460));
    owners.put("b", SlotSet.range(5461, 10922));
    owners.put("c", SlotSet.range(10923, 16383));
    owners.put("d", SlotSet.EMPTY);
    SlotStats stats = SlotStats.empty();
    for (int s = 0; s < 16384; s++) {
      stats.keys()[s] = 10;
    }
    stats.keys()[7] = 0; // cheapest slot of a
    stats.keys()[6000] = 0; // cheapest slot of b

    RebalancePlan plan = ReshardPlanner.plan(owners, List.of("a", "b"), "d", 4, stats);

    assertThat(plan.moves())
        .containsExactly(
            new PlannedMove(7, "a", "d"),
            new PlannedMove(5460, "a", "d"),
            new PlannedMove(6000, "b", "d"),
            new PlannedMove(10922, "b", "d"));
    assertThat(plan.after()).containsEntry("a", 5459L).containsEntry("d", 4L);
    assertThat(plan.before()).containsEntry("d", 0L);
    assertThat(plan.keysMoved()).isEqualTo(20);
    Map<String, Long> perSource =
        plan.moves().stream()
            .collect(Collectors.groupingBy(PlannedMove::from, Collectors.counting()));
    assertThat(perSource).containsOnlyKeys("a", "b");
  }

  @Test
  void theTargetCannotBeASource() {
    Map<String, SlotSet> owners = Map.of("a", SlotSet.range(0, 10));
    assertThatThrownBy(() -> ReshardPlanner.plan(owners, List.of("a"), "a", 1, SlotStats.empty()))
        .isInstanceOf(PlanningException.class)
        .hasMessage("node a is both a source and the target");
  }
}
