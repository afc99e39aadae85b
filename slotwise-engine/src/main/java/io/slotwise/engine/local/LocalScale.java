package io.slotwise.engine.local;

import io.slotwise.engine.converge.ConvergenceStep;
import io.slotwise.engine.converge.DesiredTopology;
import io.slotwise.engine.converge.ProviderNode;
import io.slotwise.engine.converge.StepResult;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Scales a local cluster by running the {@link ConvergenceStep} over a {@link LocalNodeProvider}
 * until it converges. The desired shape is recorded first, so that a scale interrupted at any point
 * is finished by running it again (the step resumes from what Redis and the cluster's folder say).
 */
public final class LocalScale {
  /**
   * Blocked reasons the supervisor waits out quietly: a node that does not answer yet, a failure
   * that the cluster's own failover or a repair settles, a wait that ran long.
   */
  private static final Set<Reason> WAITED_OUT =
      EnumSet.of(
          Reason.NODE_UNREACHABLE, Reason.REPAIR_NEEDED, Reason.TIMEOUT, Reason.NODE_LOADING);

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
    // The caller holds the cluster's lock, so no supervisor steps at the same time.
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

  /**
   * One convergence step towards the recorded shape, for the supervisor: restarts stopped nodes and
   * carries on a scale that a crashed process left unfinished. The caller holds the cluster's lock
   * (a running scale holds it too, so the supervisor skips its round then). Stays quiet when the
   * step is blocked or only waits: the supervisor's other checks report those.
   *
   * @return what it did, one line an action
   */
  static List<String> superviseStep(LocalCluster cluster, Consumer<String> log) {
    LocalNodeProvider provider = new LocalNodeProvider(cluster);
    List<ProviderNode> stopped = provider.nodes().stream().filter(n -> !n.running()).toList();
    ConvergenceStep step =
        new ConvergenceStep(
            cluster.admin(),
            cluster.observer(),
            Waiter.standard(),
            new ConvergenceStep.Options(
                ConvergenceStep.Options.defaults().maxSlotsPerStep(),
                SlotMigrator.Options.defaults(),
                false),
            MigrationListener.NONE,
            log);
    LocalClusterSpec spec = cluster.spec();
    StepResult result = step.step(DesiredTopology.of(spec.shards(), spec.replicas()), provider);
    if (result instanceof StepResult.Progressing p) {
      if (p.phase() == StepResult.Phase.RESTARTING_NODES) {
        return stopped.stream()
            .map(
                n ->
                    n.name()
                        + " ("
                        + n.address()
                        + ") had stopped; restarted it on its data directory")
            .toList();
      }
      if (p.phase() != StepResult.Phase.SETTLING) {
        return List.of(p.what());
      }
    }
    if (result instanceof StepResult.Blocked b && !WAITED_OUT.contains(b.reason())) {
      throw new LocalClusterException(b.message());
    }
    return List.of();
  }
}
