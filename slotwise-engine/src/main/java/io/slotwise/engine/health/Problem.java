package io.slotwise.engine.health;

/** One thing wrong with a cluster, said in one line. */
public record Problem(ProblemKind kind, String message) {
  @Override
  public String toString() {
    return "[" + kind + "] " + message;
  }
}
