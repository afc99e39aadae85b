package io.slotwise.engine.execute;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polls a condition that describes what is still missing (null or empty when satisfied), with a
 * short interval, until it holds or a deadline passes.
 */
public final class Waiter {
  private final Duration timeout;
  private final Duration interval;

  public Waiter(Duration timeout, Duration interval) {
    this.timeout = timeout;
    this.interval = interval;
  }

  public static Waiter standard() {
    return new Waiter(Duration.ofSeconds(60), Duration.ofMillis(20));
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * @param missing returns what is still missing, or null when the condition holds
   */
  public void await(String what, Supplier<String> missing) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      last = missing.get();
      if (last == null || last.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new OperationTimeoutException(
            "gave up after " + timeout.toSeconds() + " s waiting " + what + ": " + last);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OperationTimeoutException("interrupted while waiting " + what);
      }
    }
  }
}
