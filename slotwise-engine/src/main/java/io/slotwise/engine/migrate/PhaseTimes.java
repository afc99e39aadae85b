package io.slotwise.engine.migrate;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the time of a data movement went, by phase, so that a user (and the benchmark) can see what
 * is fixed cost and what is moving keys. Thread-safe; phases may be timed from several threads, and
 * time spent in a phase inside another counts for the inner one only.
 */
public final class PhaseTimes {
  /** The phases of a rebalance, reshard or drain, in the order they happen. */
  public enum Phase {
    OBSERVATION("observation"),
    STATISTICS("statistics"),
    PLANNING("planning"),
    MIGRATION("migration"),
    WAITS("waits");

    private final String label;

    Phase(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final long[] nanos = new long[Phase.values().length];
  private final ThreadLocal<Phase> current = new ThreadLocal<>();

  /** Runs {@code work}, counting its time for {@code phase}. */
  public <T> T time(Phase phase, Supplier<T> work) {
    Phase outer = current.get();
    current.set(phase);
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      long spent = System.nanoTime() - start;
      current.set(outer);
      synchronized (nanos) {
        nanos[phase.ordinal()] += spent;
        if (outer != null) {
          nanos[outer.ordinal()] -= spent;
        }
      }
    }
  }

  /** Runs {@code work}, counting its time for {@code phase}. */
  public void time(Phase phase, Runnable work) {
    time(
        phase,
        () -> {
          work.run();
          return null;
        });
  }

  /** Seconds spent in each phase so far. */
  public Map<Phase, Double> seconds() {
    Map<Phase, Double> out = new EnumMap<>(Phase.class);
    synchronized (nanos) {
      for (Phase p : Phase.values()) {
        out.put(p, nanos[p.ordinal()] / 1e9);
      }
    }
    return out;
  }
}
