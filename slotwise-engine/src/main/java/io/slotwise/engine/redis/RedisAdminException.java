package io.slotwise.engine.redis;

import io.slotwise.engine.failure.EngineException;

/**
 * A Redis node could not be reached or refused a command; the message is one readable line, the
 * {@link #kind} says what happened, so callers never read the message to decide.
 */
public class RedisAdminException extends EngineException {
  private final RedisErrorKind kind;

  public RedisAdminException(String message) {
    this(RedisErrorKind.UNKNOWN, message, null);
  }

  public RedisAdminException(String message, Throwable cause) {
    this(RedisErrorKind.UNKNOWN, message, cause);
  }

  public RedisAdminException(RedisErrorKind kind, String message, Throwable cause) {
    super(kind.reason(), message, cause);
    this.kind = kind;
  }

  public RedisErrorKind kind() {
    return kind;
  }

  public boolean is(RedisErrorKind k) {
    return kind == k;
  }
}
