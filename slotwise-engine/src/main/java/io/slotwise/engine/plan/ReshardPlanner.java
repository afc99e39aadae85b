package io.slotwise.engine.plan;

import io.slotwise.engine.plan.RebalancePlan.PlannedMove;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which slots a reshard moves: {@code count} slots onto one primary, taken from the sources
 * in proportion to what each owns (largest remainder: floors first, then the slots left over to the
 * largest fractions among sources that still have slots to give). Each source gives its cheapest
 * slots (fewest keys, then the highest slot, so low ranges stay contiguous). Pure: ownership and
 * statistics in, a plan out.
 */
public final class ReshardPlanner {
  private ReshardPlanner() {}

  /**
   * Splits {@code count} in proportion to {@code weights}, no share above its weight, by largest
   * remainder (ties to the lower index). The shares sum to {@code count}.
   *
   * @throws PlanningException when {@code count} exceeds the sum of the weights or is negative
   */
  public static int[] shares(int[] weights, int count) {
    long available = 0;
    for (int w : weights) {
      if (w < 0) {
        throw new PlanningException("a share weight must not be negative, got " + w);
      }
      available += w;
    }
    if (count < 0 || count > available) {
      throw new PlanningException(
          "cannot share " + count + " slots among sources that own " + available);
    }
    int[] share = new int[weights.length];
    double[] frac = new double[weights.length];
    int given = 0;
    for (int i = 0; i < weights.length; i++) {
      double exact = available == 0 ? 0 : (double) count * weights[i] / available;
      share[i] = (int) Math.floor(exact);
      frac[i] = exact - share[i];
      given += share[i];
    }
    while (given < count) {
      int best = -1;
      for (int i = 0; i < weights.length; i++) {
        if (share[i] < weights[i] && (best < 0 || frac[i] > frac[best])) {
          best = i;
        }
      }
      share[best]++;
      frac[best] = -1;
      given++;
    }
    return share;
  }

  /**
   * The plan that moves {@code count} slots from {@code sources} onto {@code to}.
   *
   * @param owners every slot owner's slots (sources and target included), for the before and after
   *     loads of the plan
   * @param sources ids of the giving primaries, in order; each must be in {@code owners}
   */
  public static RebalancePlan plan(
      Map<String, SlotSet> owners, List<String> sources, String to, int count, SlotStats stats) {
    if (sources.contains(to)) {
      throw new PlanningException("node " + to + " is both a source and the target");
    }
    int[] owned = new int[sources.size()];
    for (int i = 0; i < sources.size(); i++) {
      SlotSet s = owners.get(sources.get(i));
      if (s == null) {
        throw new PlanningException("source node " + sources.get(i) + " owns no slots");
      }
      owned[i] = s.size();
    }
    int[] share = shares(owned, count);
    List<PlannedMove> moves = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      List<Integer> slots = new ArrayList<>();
      for (int x : owners.get(sources.get(i)).toArray()) {
        slots.add(x);
      }
      slots.sort(
          Comparator.comparingLong((Integer x) -> stats.keys()[x])
              .thenComparing(Comparator.reverseOrder()));
      for (int k = 0; k < share[i]; k++) {
        moves.add(new PlannedMove(slots.get(k), sources.get(i), to));
      }
    }
    Map<String, Long> before = new LinkedHashMap<>();
    owners.forEach((id, slots) -> before.put(id, (long) slots.size()));
    before.putIfAbsent(to, 0L);
    Map<String, Long> after = new LinkedHashMap<>(before);
    for (PlannedMove m : moves) {
      after.merge(m.from(), -1L, Long::sum);
      after.merge(m.to(), 1L, Long::sum);
    }
    Map<String, Double> target = new LinkedHashMap<>();
    after.forEach((k, v) -> target.put(k, (double) v));
    long keys = moves.stream().mapToLong(m -> stats.keys()[m.slot()]).sum();
    long bytes = moves.stream().mapToLong(m -> stats.bytes()[m.slot()]).sum();
    return new RebalancePlan(BalanceBy.SLOTS, moves, before, after, target, keys, bytes, List.of());
  }
}
