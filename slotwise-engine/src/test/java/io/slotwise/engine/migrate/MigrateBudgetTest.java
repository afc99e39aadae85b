package io.slotwise.engine.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The MIGRATE budget controller, fed made-up durations: no clock, no Redis. */
class MigrateBudgetTest {
  private static final long MS = 1_000_000;

  /** 5..10 ms, 16 KiB..4 MiB, starting at 64 KiB. */
  private static MigrateBudget budget() {
    return new MigrateBudget(64 << 10, 16 << 10, 4 << 20, 5 * MS, 10 * MS);
  }

  /** A source that needs {@code nanosPerByte} per byte, fed full batches. */
  private static MigrateBudget settle(MigrateBudget b, double nanosPerByte, int rounds) {
    for (int i = 0; i < rounds; i++) {
      long bytes = b.bytes();
      b.record(bytes, (long) (bytes * nanosPerByte));
    }
    return b;
  }

  @Test
  void aFastSourceGrowsTheBudgetMultiplicativelyUntilAMigrateTakesFiveToTenMilliseconds() {
    MigrateBudget b = budget();
    long before = b.bytes();
    b.record(before, 1 * MS);
    assertThat(b.bytes()).isGreaterThan(before).isLessThanOrEqualTo((long) (before * 1.5) + 1);
    // 10 ns per byte: 5..10 ms is 0.5..1 MB.
    settle(b, 10, 50);
    assertThat(b.bytes() * 10L).isBetween(5 * MS, 10 * MS);
  }

  @Test
  void aSlowSourceShrinksTheBudgetAtMostByHalfPerStep() {
    MigrateBudget b = new MigrateBudget(1 << 20, 16 << 10, 4 << 20, 5 * MS, 10 * MS);
    b.record(1 << 20, 1000 * MS);
    assertThat(b.bytes()).isEqualTo(512 << 10);
    // 200 ns per byte: 5..10 ms is 25..50 KB.
    settle(b, 200, 50);
    assertThat(b.bytes() * 200L).isBetween(5 * MS, 10 * MS);
  }

  @Test
  void aSourceWithinTheBandKeepsItsBudget() {
    MigrateBudget b = budget();
    long before = b.bytes();
    for (int i = 0; i < 20; i++) {
      b.record(before, 7 * MS);
    }
    assertThat(b.bytes()).isEqualTo(before);
  }

  @Test
  void neverBelowTheFloorNorAboveTheCeiling() {
    MigrateBudget slow = settle(budget(), 1_000_000, 30);
    assertThat(slow.bytes()).isEqualTo(16 << 10);
    MigrateBudget fast = settle(budget(), 0.01, 60);
    assertThat(fast.bytes()).isEqualTo(4 << 20);
  }

  @Test
  void smallBatchesArePooledUntilTheyCoverHalfABudget() {
    MigrateBudget b = budget();
    long before = b.bytes();
    // Slots with few keys: 1 KiB batches at 10 ns per byte say nothing alone.
    for (int i = 0; i < 31; i++) {
      b.record(1 << 10, 10 * 1024);
    }
    assertThat(b.bytes()).isEqualTo(before);
    b.record(1 << 10, 10 * 1024);
    // 32 KiB took 0.33 ms: a full 64 KiB would take 0.66 ms, far below 5 ms.
    assertThat(b.bytes()).isGreaterThan(before);
  }

  @Test
  void oneSmallBatchThatTookLongerThanTheBandShrinksAtOnce() {
    MigrateBudget b = budget();
    long before = b.bytes();
    b.record(1 << 10, 50 * MS);
    assertThat(b.bytes()).isEqualTo(before / 2);
  }

  @Test
  void aKeyLargerThanTheBudgetIsJudgedByItsTimePerByte() {
    MigrateBudget b = budget();
    long before = b.bytes();
    // A 10 MiB key took 20 ms: 2 ns per byte, so a 64 KiB batch takes 0.13 ms.
    b.record(10 << 20, 20 * MS);
    assertThat(b.bytes()).isGreaterThan(before);
  }

  @Test
  void aFixedBudgetNeverMoves() {
    MigrateBudget b = MigrateBudget.aimingAt(0, 4 << 20);
    assertThat(b.adaptive()).isFalse();
    b.record(4 << 20, 1000 * MS);
    b.record(1, 0);
    assertThat(b.bytes()).isEqualTo(4 << 20);
  }

  @Test
  void aimingAtTenMillisecondsStartsLowAndStaysUnderTheCeiling() {
    MigrateBudget b = MigrateBudget.aimingAt(10, 4 << 20);
    assertThat(b.adaptive()).isTrue();
    assertThat(b.bytes()).isEqualTo(MigrateBudget.DEFAULT_INITIAL);
    assertThat(MigrateBudget.aimingAt(10, 8 << 10).bytes()).isEqualTo(8 << 10);
    assertThat(settle(MigrateBudget.aimingAt(10, 8 << 10), 0.001, 10).bytes()).isEqualTo(8 << 10);
  }

  @Test
  void noisyDurationsKeepTheBudgetWithinBoundsAndNearTheBand() {
    Random random = new Random(42);
    MigrateBudget b = budget();
    for (int i = 0; i < 2000; i++) {
      long bytes = 1 + random.nextInt((int) b.bytes());
      // 15 ns per byte, times noise between 0.5 and 2 (a busy machine).
      double noise = 0.5 + random.nextDouble() * 1.5;
      b.record(bytes, (long) (bytes * 15 * noise));
      assertThat(b.bytes()).isBetween(16L << 10, 4L << 20);
    }
    // The band is 333..667 KB at 15 ns per byte; noise of 0.5..2 keeps it within a factor 3.
    assertThat(b.bytes()).isBetween(100_000L, 2_000_000L);
  }

  @Test
  void badBoundsAreRefused() {
    assertThatThrownBy(() -> new MigrateBudget(1, 0, 10, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigrateBudget(1, 10, 5, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigrateBudget(1, 1, 5, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
