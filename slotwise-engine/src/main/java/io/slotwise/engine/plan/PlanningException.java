package io.slotwise.engine.plan;

/** The desired topology cannot be built from what is there; the message says why, in one line. */
public class PlanningException extends RuntimeException {
  public PlanningException(String message) {
    super(message);
  }
}
