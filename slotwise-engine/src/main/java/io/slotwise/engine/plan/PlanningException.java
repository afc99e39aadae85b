package io.slotwise.engine.plan;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/** The desired topology cannot be built from what is there; the message says why, in one line. */
public class PlanningException extends EngineException {
  public PlanningException(String message) {
    super(Reason.INVALID_TOPOLOGY, message);
  }
}
