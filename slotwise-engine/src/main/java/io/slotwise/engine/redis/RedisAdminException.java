package io.slotwise.engine.redis;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/** A Redis node could not be reached or refused a command; the message is one readable line. */
public class RedisAdminException extends EngineException {
  public RedisAdminException(String message) {
    super(Reason.REDIS_ERROR, message);
  }

  public RedisAdminException(String message, Throwable cause) {
    super(Reason.REDIS_ERROR, message, cause);
  }
}
