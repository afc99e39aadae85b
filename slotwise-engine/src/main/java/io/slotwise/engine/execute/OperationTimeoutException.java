package io.slotwise.engine.execute;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/** A wait gave up; the message says what was still missing. */
public class OperationTimeoutException extends EngineException {
  public OperationTimeoutException(String message) {
    super(Reason.TIMEOUT, message);
  }
}
