package io.slotwise.engine.local;

/** A local cluster could not be started, found or stopped; the message is one line. */
public class LocalClusterException extends RuntimeException {
  public LocalClusterException(String message) {
    super(message);
  }
}
