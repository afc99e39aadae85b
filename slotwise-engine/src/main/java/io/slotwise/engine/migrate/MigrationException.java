package io.slotwise.engine.migrate;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/** A migration stopped; the message says where, why, and what state the slot was left in. */
public class MigrationException extends EngineException {
  public MigrationException(String message, Throwable cause) {
    super(Reason.MIGRATION_FAILED, message, cause);
  }
}
