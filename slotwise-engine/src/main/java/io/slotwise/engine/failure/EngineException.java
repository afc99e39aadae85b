package io.slotwise.engine.failure;

/**
 * The one base type of the engine's failures: a message in one line that speaks of nodes, slots and
 * shards (never of command-line flags; the CLI adds those), and a {@link Reason}.
 */
public class EngineException extends RuntimeException {
  private final Reason reason;

  public EngineException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public EngineException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
