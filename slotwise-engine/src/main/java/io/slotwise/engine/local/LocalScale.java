package io.slotwise.engine.local;

import io.slotwise.engine.converge.ConvergenceStep;
import io.slotwise.engine.converge.DesiredTopology;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Scales a local cluster by running the {@link ConvergenceStep} over a {@link LocalNodeProvider}
 * until it converges. The desired shape is recorded first, so that a scale interrupted at any point
 * is finished by running it again (the step resumes from what Redis and the cluster's folder say).
 */
public final class LocalScale {
  private LocalScale() {}

  /**
   * @return the data movement summed over all steps ({@code plan} is null: a convergence plans
   *     again at every step), or null when no slot moved
   */
  public static Rebalancer.Outcome run(
      LocalCluster cluster,
      int shards,
      int replicas,
      SlotMigrator.Options options,
      MigrationListener listener,
      Consumer<String> log)
      throws IOException {
    DesiredTopology desired = DesiredTopology.of(shards, replicas);
    cluster.recordShape(shards, replicas);
    AtomicLong slots = new AtomicLong();
    AtomicLong keys = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    MigrationListener counting =
        new MigrationListener() {
          @Override
          public void opened(int n) {
            listener.opened(n);
          }

          @Override
          public void moved(long k, long b) {
            keys.addAndGet(k);
            bytes.addAndGet(b);
            listener.moved(k, b);
          }

          @Override
          public void slotsDone(int n) {
            slots.addAndGet(n);
            listener.slotsDone(n);
          }

          @Override
          public void warning(String message) {
            listener.warning(message);
          }
        };
    ConvergenceStep step =
        new ConvergenceStep(
            cluster.admin(),
            cluster.observer(),
            Waiter.standard(),
            new ConvergenceStep.Options(
                ConvergenceStep.Options.defaults().maxSlotsPerStep(), options),
            counting,
            log);
    long t0 = System.nanoTime();
    int maxSteps = 64 + 8 * Math.max(cluster.nodes().size(), desired.nodes());
    step.converge(desired, new LocalNodeProvider(cluster), p -> log.accept(p.what()), maxSteps);
    if (slots.get() == 0) {
      return null;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Rebalancer.Outcome(
        null,
        new SlotMigrator.Result((int) slots.get(), keys.get(), bytes.get(), seconds),
        0,
        Map.of(),
        null,
        cluster.addresses().get(0),
        List.of());
  }
}
