package io.slotwise.engine.plan;

import java.util.List;
import java.util.Map;

/**
 * The moves a rebalance will make, with each primary's load (slots, keys or bytes) before and after
 * and its target.
 *
 * @param notes things the user should know, e.g. why the threshold cannot be reached
 */
public record RebalancePlan(
    BalanceBy by,
    List<PlannedMove> moves,
    Map<String, Long> before,
    Map<String, Long> after,
    Map<String, Double> target,
    long keysMoved,
    long bytesMoved,
    List<String> notes) {

  /** One slot going from one primary to another. */
  public record PlannedMove(int slot, String from, String to) {}

  /** The largest distance of a primary's load from its target, in percent of the mean target. */
  public static double imbalancePercent(Map<String, Long> load, Map<String, Double> target) {
    double sum = 0;
    int weighted = 0;
    for (double t : target.values()) {
      if (t > 0) {
        sum += t;
        weighted++;
      }
    }
    if (weighted == 0 || sum == 0) {
      return 0;
    }
    double mean = sum / weighted;
    double worst = 0;
    for (Map.Entry<String, Double> e : target.entrySet()) {
      worst = Math.max(worst, Math.abs(load.getOrDefault(e.getKey(), 0L) - e.getValue()));
    }
    return 100.0 * worst / mean;
  }

  public double imbalanceBefore() {
    return imbalancePercent(before, target);
  }

  public double imbalanceAfter() {
    return imbalancePercent(after, target);
  }
}
