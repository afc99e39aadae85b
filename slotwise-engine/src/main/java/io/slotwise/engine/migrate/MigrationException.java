package io.slotwise.engine.migrate;

/** A migration stopped; the message says where, why, and what state the slot was left in. */
public class MigrationException extends RuntimeException {
  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
