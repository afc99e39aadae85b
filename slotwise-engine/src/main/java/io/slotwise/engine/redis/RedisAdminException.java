package io.slotwise.engine.redis;

/** A Redis node could not be reached or refused a command; the message is one readable line. */
public class RedisAdminException extends RuntimeException {
  public RedisAdminException(String message) {
    super(message);
  }

  public RedisAdminException(String message, Throwable cause) {
    super(message, cause);
  }
}
