package io.slotwise.cli;

import io.slotwise.engine.migrate.MigrationListener;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows a migration's progress: on a terminal a bar redrawn in place with keys/s and ETA; elsewhere
 * a plain line per second, so logs and pipes stay readable.
 */
final class ProgressReporter implements MigrationListener {
  private final PrintWriter out;
  private final boolean terminal;
  private final long totalKeys;
  private final int totalSlots;
  private final long start = System.nanoTime();
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong slots = new AtomicLong();
  private volatile long lastPrint;

  ProgressReporter(PrintWriter out, boolean terminal, long totalKeys, int totalSlots) {
    this.out = out;
    this.terminal = terminal;
    this.totalKeys = totalKeys;
    this.totalSlots = totalSlots;
  }

  @Override
  public void moved(long k, long b) {
    keys.addAndGet(k);
    bytes.addAndGet(b);
    maybePrint(false);
  }

  @Override
  public void slotsDone(int n) {
    slots.addAndGet(n);
    maybePrint(false);
  }

  @Override
  public synchronized void warning(String message) {
    if (terminal) {
      out.print("\r\033[K");
    }
    out.println("warning: " + message);
    out.flush();
  }

  private void maybePrint(boolean force) {
    long now = System.nanoTime();
    long interval = terminal ? 100_000_000L : 1_000_000_000L;
    if (!force && now - lastPrint < interval) {
      return;
    }
    synchronized (this) {
      if (!force && now - lastPrint < interval) {
        return;
      }
      lastPrint = now;
      print(now);
    }
  }

  private void print(long now) {
    double secs = Math.max(1e-3, (now - start) / 1e9);
    long k = keys.get();
    double rate = k / secs;
    double fraction =
        totalKeys > 0
            ? Math.min(1.0, (double) k / totalKeys)
            : totalSlots > 0 ? (double) slots.get() / totalSlots : 1.0;
    String eta = rate > 0 && totalKeys > k ? formatSeconds((totalKeys - k) / rate) : "0:00";
    String text =
        totalSlots == 0
            ? String.format("%d keys  %d slots  %,.0f keys/s", k, slots.get(), rate)
            : String.format(
                "%5.1f%%  %d/%d keys  %d/%d slots  %,.0f keys/s  ETA %s",
                fraction * 100, k, totalKeys, slots.get(), totalSlots, rate, eta);
    if (terminal && totalSlots > 0) {
      int width = 30;
      int filled = (int) Math.round(fraction * width);
      out.print("\r\033[K[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + text);
    } else if (terminal) {
      out.print("\r\033[K" + text);
    } else {
      out.println("progress: " + text);
    }
    out.flush();
  }

  /** Prints the final state and ends the bar's line. */
  void finish() {
    print(System.nanoTime());
    if (terminal && totalSlots > 0) {
      out.println();
    }
    out.flush();
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t / 60 + ":" + String.format("%02d", t % 60);
  }
}
