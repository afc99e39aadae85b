package io.slotwise.engine.local;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/** A local cluster could not be started, found or stopped; the message is one line. */
public class LocalClusterException extends EngineException {
  public LocalClusterException(String message) {
    super(Reason.LOCAL_RUNTIME, message);
  }
}
