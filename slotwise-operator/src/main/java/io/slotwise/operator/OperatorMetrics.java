package io.slotwise.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.slotwise.engine.migrate.MigrationListener;

/**
 * The operator's Prometheus metrics: reconciles, their duration and errors, operations, data moved,
 * failovers.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Timer reconciles;
  private final Counter errors;
  private final Counter slots;
  private final Counter keys;
  private final Counter failovers;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconciles =
        Timer.builder("slotwise.reconcile")
            .description("RedisCluster reconciles")
            .register(registry);
    this.errors =
        Counter.builder("slotwise.reconcile.errors")
            .description("reconciles that failed with an unexpected error")
            .register(registry);
    this.slots =
        Counter.builder("slotwise.slots.migrated")
            .description("slots moved between shards")
            .register(registry);
    this.keys =
        Counter.builder("slotwise.keys.migrated")
            .description("keys moved between shards")
            .register(registry);
    this.failovers =
        Counter.builder("slotwise.failovers")
            .description("planned failovers (CLUSTER FAILOVER) of a roll")
            .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public Timer reconciles() {
    return reconciles;
  }

  public void error() {
    errors.increment();
  }

  public void failover() {
    failovers.increment();
  }

  /** Counts one unit of work of an operation, by type and phase. */
  public void operationStep(String type, String phase) {
    Counter.builder("slotwise.operations")
        .description("units of work done by operations, by type and phase")
        .tag("type", type)
        .tag("phase", phase)
        .register(registry)
        .increment();
  }

  /** A listener that counts slots and keys moved here, and into the given totals. */
  public MigrationListener listener(long[] slotsAndKeys) {
    return new MigrationListener() {
      @Override
      public void moved(long k, long bytes) {
        keys.increment(k);
        synchronized (slotsAndKeys) {
          slotsAndKeys[1] += k;
        }
      }

      @Override
      public void slotsDone(int s) {
        slots.increment(s);
        synchronized (slotsAndKeys) {
          slotsAndKeys[0] += s;
        }
      }
    };
  }
}
