package io.slotwise.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for Ctrl-C (or SIGTERM) and cleaning up before the JVM exits: the shutdown hook only
 * signals, then holds the JVM until the command has closed what it started (at most a minute), so
 * that every redis-server is stopped before the process ends.
 */
final class Shutdown {
  private static final long CLEANUP_LIMIT_SECONDS = 60;

  private final CountDownLatch signal = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  private Shutdown() {
    hook =
        new Thread(
            () -> {
              signal.countDown();
              try {
                done.await(CLEANUP_LIMIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "slotwise-shutdown");
  }

  static Shutdown install() {
    Shutdown s = new Shutdown();
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** Blocks until the process is asked to stop. */
  void awaitSignal() throws InterruptedException {
    signal.await();
  }

  /** Everything is closed: the JVM may exit (and the hook is gone when it was never used). */
  void done() {
    done.countDown();
    if (signal.getCount() > 0) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs already; it returns at once now
      }
    }
  }
}
