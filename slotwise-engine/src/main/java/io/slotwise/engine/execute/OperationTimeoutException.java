package io.slotwise.engine.execute;

/** A wait gave up; the message says what was still missing. */
public class OperationTimeoutException extends RuntimeException {
  public OperationTimeoutException(String message) {
    super(message);
  }
}
