package io.slotwise.engine.health;

import java.util.List;

/**
 * What {@link ClusterFixer} did: one outcome per problem it acted on or could not act on, in the
 * order things happened (blocked ones last).
 */
public record FixReport(List<Outcome> outcomes) {
  public FixReport {
    outcomes = List.copyOf(outcomes);
  }

  public enum Status {
    /** Done. */
    REPAIRED,
    /** Tried and failed; {@link Outcome#why()} says how. */
    NOT_REPAIRED,
    /** Not tried: it depends on a node that is down or cannot be observed, or waits for another. */
    BLOCKED
  }

  /**
   * @param problem the kind of problem, as check names it
   * @param nodeId the node a blocked repair waits for; null when none
   */
  public record Outcome(Status status, String problem, String what, String nodeId, String why) {
    @Override
    public String toString() {
      return switch (status) {
        case REPAIRED -> "repaired: " + what;
        case NOT_REPAIRED -> "not repaired: " + what + ": " + why;
        case BLOCKED -> "blocked: " + what + ": " + why;
      };
    }
  }

  /** Every problem acted on was repaired and nothing is blocked. */
  public boolean allRepaired() {
    return outcomes.stream().allMatch(o -> o.status() == Status.REPAIRED);
  }

  public boolean nothingToDo() {
    return outcomes.isEmpty();
  }

  public List<Outcome> withStatus(Status s) {
    return outcomes.stream().filter(o -> o.status() == s).toList();
  }

  /** What was repaired, in words. */
  public List<String> repaired() {
    return withStatus(Status.REPAIRED).stream().map(Outcome::what).toList();
  }
}
