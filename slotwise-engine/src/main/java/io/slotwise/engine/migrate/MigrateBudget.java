package io.slotwise.engine.migrate;

/**
 * The byte budget of one {@code MIGRATE}, adapted so that each one blocks the source for about a
 * target time. A MIGRATE runs on the source's only thread from the first key it serialises until
 * the target has restored the last one, so its byte size is how long every other client of the
 * source (and of the target) waits. A fixed budget is wrong on any machine but one: too small
 * wastes round trips, too large stalls clients for hundreds of milliseconds.
 *
 * <p>The migrator reports, for each MIGRATE, the bytes it carried and how long the source spent on
 * it. Evidence is pooled until it covers about half a budget (a slot with few keys makes small
 * batches whose time says little alone), then the time a full budget would take is projected from
 * it: above {@code highNanos} the budget shrinks (in proportion, at most by half), below {@code
 * lowNanos} it grows by half (at most to what would reach the middle of the band). It never leaves
 * [{@code floor}, {@code ceiling}]. Pure: no clock, no Redis; the caller measures.
 *
 * <p>The same budget bounds the bytes of MIGRATEs sent and not yet answered on one connection:
 * Redis runs every command it finds in one read of a connection back to back, so a deep pipeline of
 * small MIGRATEs would block the source as long as one huge one.
 */
public final class MigrateBudget {
  /** Below this a MIGRATE pays more for its round trip than for its keys. */
  public static final long DEFAULT_FLOOR = 16 << 10;

  /** Where a migration starts: a few milliseconds on a slow machine, less on a fast one. */
  public static final long DEFAULT_INITIAL = 64 << 10;

  static final double GROWTH = 1.5;
  static final double MAX_SHRINK = 0.5;

  private final long floor;
  private final long ceiling;
  private final long lowNanos;
  private final long highNanos;
  private long budget;
  private long pooledBytes;
  private long pooledNanos;

  /**
   * @param initial the first budget (clamped to the bounds)
   * @param floor the smallest budget
   * @param ceiling the largest budget
   * @param lowNanos below this projected time per full budget, grow
   * @param highNanos above this projected time per full budget, shrink
   */
  public MigrateBudget(long initial, long floor, long ceiling, long lowNanos, long highNanos) {
    if (floor < 1 || ceiling < floor || lowNanos < 0 || highNanos < lowNanos) {
      throw new IllegalArgumentException(
          "bad budget bounds: floor "
              + floor
              + ", ceiling "
              + ceiling
              + ", band "
              + lowNanos
              + ".."
              + highNanos
              + " ns");
    }
    this.floor = floor;
    this.ceiling = ceiling;
    this.lowNanos = lowNanos;
    this.highNanos = highNanos;
    this.budget = clamp(initial);
  }

  /**
   * Aims each MIGRATE at {@code millis / 2 .. millis} milliseconds, below {@code ceiling} bytes.
   * With {@code millis} 0 the budget is fixed at {@code ceiling} (no adaptation).
   */
  public static MigrateBudget aimingAt(long millis, long ceiling) {
    if (millis <= 0) {
      return new MigrateBudget(ceiling, ceiling, ceiling, 0, Long.MAX_VALUE);
    }
    long floor = Math.min(DEFAULT_FLOOR, ceiling);
    return new MigrateBudget(
        Math.min(DEFAULT_INITIAL, ceiling),
        floor,
        ceiling,
        millis * 1_000_000 / 2,
        millis * 1_000_000);
  }

  /** Bytes one MIGRATE may carry now (and bytes of MIGRATEs that may be in flight at once). */
  public long bytes() {
    return budget;
  }

  /** Whether the budget adapts; a fixed one also lets every batch of a round be in flight. */
  public boolean adaptive() {
    return floor != ceiling;
  }

  /**
   * One MIGRATE carried {@code bytes} (by {@code MEMORY USAGE}) and kept the source busy for {@code
   * nanos}.
   */
  public void record(long bytes, long nanos) {
    if (!adaptive()) {
      return;
    }
    pooledBytes += Math.max(0, bytes);
    pooledNanos += Math.max(0, nanos);
    if (pooledBytes * 2 < budget && pooledNanos <= highNanos) {
      return; // too little evidence yet, and none of it says the budget is too large
    }
    double projected = pooledBytes == 0 ? 0 : (double) pooledNanos * budget / pooledBytes;
    pooledBytes = 0;
    pooledNanos = 0;
    double middle = (lowNanos + highNanos) / 2.0;
    if (projected > highNanos) {
      budget = clamp((long) (budget * Math.max(MAX_SHRINK, middle / projected)));
    } else if (projected < lowNanos) {
      double factor = projected <= 0 ? GROWTH : Math.min(GROWTH, middle / projected);
      budget = clamp((long) Math.ceil(budget * factor));
    }
  }

  private long clamp(long b) {
    return Math.max(floor, Math.min(ceiling, b));
  }

  @Override
  public String toString() {
    return "MIGRATE budget " + budget + " bytes";
  }
}
