package io.slotwise.engine.converge;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.converge.StepResult.Blocked;
import io.slotwise.engine.converge.StepResult.Converged;
import io.slotwise.engine.converge.StepResult.Phase;
import io.slotwise.engine.converge.StepResult.Progressing;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalNodeProvider;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The convergence loop over the local runtime: from nothing to 3x1, out to 4x1, back to 3x1, under
 * a client load, every key kept. Every call uses a new {@link ConvergenceStep}, as a caller that
 * crashed and was replaced would: the step keeps nothing between calls.
 */
class ConvergenceIT {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergenceIT.class);
  private static final int MAX_SLOTS_PER_STEP = 1024;

  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    try {
      if (cluster != null) {
        cluster.destroy();
        cluster.close();
      }
    } finally {
      Leftovers.kill(home);
    }
  }

  private StepResult stepOnce(DesiredTopology desired) {
    ConvergenceStep step =
        new ConvergenceStep(
            cluster.admin(),
            cluster.observer(),
            Waiter.standard(),
            new ConvergenceStep.Options(MAX_SLOTS_PER_STEP, SlotMigrator.Options.defaults()),
            MigrationListener.NONE,
            LOG::info);
    StepResult result = step.step(desired, new LocalNodeProvider(cluster));
    LOG.info("step: {}", result);
    return result;
  }

  /** Steps until converged; returns the Progressing results on the way. */
  private List<Progressing> converge(DesiredTopology desired) {
    List<Progressing> trace = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      StepResult r = stepOnce(desired);
      if (r instanceof Converged) {
        return trace;
      }
      assertThat(r).as("after %s", trace).isInstanceOf(Progressing.class);
      trace.add((Progressing) r);
    }
    throw new AssertionError("not converged after 40 steps: " + trace);
  }

  private static List<Phase> phases(List<Progressing> trace) {
    return trace.stream().map(Progressing::phase).distinct().toList();
  }

  private static int firstIndex(List<Progressing> trace, Phase phase) {
    for (int i = 0; i < trace.size(); i++) {
      if (trace.get(i).phase() == phase) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndex(List<Progressing> trace, Phase phase) {
    int last = -1;
    for (int i = 0; i < trace.size(); i++) {
      if (trace.get(i).phase() == phase) {
        last = i;
      }
    }
    return last;
  }

  private void assertHealthy(int shards, int replicas) {
    ClusterView view = cluster.observe();
    assertThat(view.reachable()).hasSize(shards * (1 + replicas));
    assertThat(view.slotOwners()).hasSize(shards);
    assertThat(view.uncoveredSlots().isEmpty()).isTrue();
    SlotSet covered = SlotSet.EMPTY;
    for (NodeReport p : view.slotOwners()) {
      covered = covered.union(p.self().slots());
      assertThat(view.replicasOf(p.id())).hasSize(replicas);
      int share = HashSlots.COUNT / shards;
      assertThat(p.self().slots().size()).isBetween(share, share + 1);
    }
    assertThat(covered.size()).isEqualTo(HashSlots.COUNT);
    assertThat(ClusterChecker.check(view)).isEmpty();
    assertThat(cluster.nodes()).hasSize(shards * (1 + replicas)).allMatch(RedisProcess::alive);
  }

  @Test
  void fromNothingOutAndBackInBoundedStatelessStepsLosingNoKey() throws Exception {
    cluster = LocalCluster.empty(TestClusters.spec(home, 3, 1), LOG::info);

    List<Progressing> created = converge(DesiredTopology.of(3, 1));
    assertThat(phases(created)).containsSubsequence(Phase.STARTING_NODES, Phase.FORMING_CLUSTER);
    assertHealthy(3, 1);

    var seed = cluster.addresses().get(0);
    try (ClusterData data = new ClusterData(seed);
        ClientLoad load = new ClientLoad(seed, "load")) {
      data.write("pre", 10_000, 100);

      List<Progressing> grown = converge(DesiredTopology.of(4, 1));
      // Start nodes, join them (primary, then its replica), then move slots, in bounded steps.
      assertThat(phases(grown))
          .containsSubsequence(Phase.STARTING_NODES, Phase.JOINING_NODES, Phase.MOVING_SLOTS);
      assertThat(lastIndex(grown, Phase.JOINING_NODES))
          .isLessThan(firstIndex(grown, Phase.MOVING_SLOTS));
      List<Progressing> moves =
          grown.stream().filter(p -> p.phase() == Phase.MOVING_SLOTS).toList();
      assertThat(moves).hasSizeGreaterThanOrEqualTo(4);
      assertThat(moves)
          .allSatisfy(p -> assertThat(p.done()).isBetween(1L, (long) MAX_SLOTS_PER_STEP));
      assertThat(moves.get(0).total()).isEqualTo(4096);
      assertHealthy(4, 1);
      assertThat(data.missing("pre", 10_000, 100)).isEmpty();

      List<Progressing> shrunk = converge(DesiredTopology.of(3, 1));
      // Drain first, then the drained shard's nodes leave.
      assertThat(phases(shrunk)).containsSubsequence(Phase.MOVING_SLOTS, Phase.REMOVING_NODES);
      assertThat(lastIndex(shrunk, Phase.MOVING_SLOTS))
          .isLessThan(firstIndex(shrunk, Phase.REMOVING_NODES));
      assertThat(shrunk.stream().filter(p -> p.phase() == Phase.REMOVING_NODES)).hasSize(2);
      load.stop();
      assertHealthy(3, 1);
      // The nodes of the shard added last (indices 6 and 7) are the ones that left.
      assertThat(cluster.nodes())
          .extracting(RedisProcess::index)
          .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
      assertThat(data.missing("pre", 10_000, 100)).isEmpty();
      assertThat(load.requests()).isGreaterThan(100);
      assertThat(load.failures()).isEmpty();
      assertThat(load.wrongReads()).isEmpty();
      assertThat(data.missing(load.acknowledged())).isEmpty();
    }
  }

  @Test
  void aStoppedNodeIsRestartedAndUncoveredSlotsBlockWithRepairNeeded() {
    cluster = TestClusters.startPersistent(home, 3, 0);
    RedisProcess victim = cluster.nodes().get(1);
    victim.crash();

    StepResult restarted = stepOnce(DesiredTopology.of(3, 0));
    assertThat(restarted).isInstanceOf(Progressing.class);
    assertThat(((Progressing) restarted).phase()).isEqualTo(Phase.RESTARTING_NODES);
    assertThat(victim.alive()).isTrue();
    cluster.awaitHealthy();

    NodeReport owner = cluster.observe().slotOwners().get(0);
    SlotSet dropped = owner.self().slots().first(10);
    cluster.admin().node(owner.address()).delSlots(dropped);

    StepResult blocked = stepOnce(DesiredTopology.of(4, 0));
    assertThat(blocked).isInstanceOf(Blocked.class);
    assertThat(((Blocked) blocked).reason()).isEqualTo(Reason.REPAIR_NEEDED);
    assertThat(((Blocked) blocked).message()).contains("slot");
    assertThat(cluster.nodes()).as("nothing started while blocked").hasSize(3);
  }

  @Test
  void aSlotMoveLeftOpenByACrashedCallerIsFinishedFromWhatRedisRecords() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(cluster.addresses().get(0))) {
      data.write("k", 2_000, 50);
      ClusterView view = cluster.observe();
      int slot = HashSlots.slotOf(ClusterData.key("k", 0));
      NodeReport source =
          view.slotOwners().stream()
              .filter(p -> p.self().slots().contains(slot))
              .findFirst()
              .orElseThrow();
      NodeReport target =
          view.slotOwners().stream().filter(p -> p != source).findFirst().orElseThrow();
      // What a caller killed between SETSLOT and MIGRATE leaves behind.
      cluster.admin().node(target.address()).setSlotImporting(slot, source.id());
      cluster.admin().node(source.address()).setSlotMigrating(slot, target.id());

      StepResult first = stepOnce(DesiredTopology.of(3, 0));

      assertThat(first).isInstanceOf(Progressing.class);
      assertThat(((Progressing) first).phase()).isEqualTo(Phase.FINISHING_MOVES);
      assertThat(((Progressing) first).done()).isEqualTo(1);
      ClusterView after = cluster.observe();
      assertThat(after.openSlots()).isEmpty();
      assertThat(after.node(target.id()).orElseThrow().self().slots().contains(slot)).isTrue();
      converge(DesiredTopology.of(3, 0));
      assertHealthy(3, 0);
      assertThat(data.missing("k", 2_000, 50)).isEmpty();
    }
  }

  /** Fixed processes as a provider: it cannot start nodes, it removes by stopping. */
  record FixedProvider(List<RedisProcess> processes) implements NodeProvider {
    @Override
    public List<ProviderNode> nodes() {
      return processes.stream()
          .map(
              p ->
                  new ProviderNode(
                      "fresh-" + p.index(), p.address(), p.address().host(), p.alive()))
          .toList();
    }

    @Override
    public ProviderNode start(NodeSpec spec) {
      throw new EngineException(Reason.NODE_START_FAILED, "this provider has no more nodes");
    }

    @Override
    public void replace(ProviderNode node) {
      throw new EngineException(Reason.NODE_START_FAILED, "this provider cannot restart nodes");
    }

    @Override
    public void remove(ProviderNode node) {
      processes.stream()
          .filter(p -> p.address().equals(node.address()))
          .forEach(RedisProcess::kill);
    }
  }

  @Test
  void aFormationInterruptedBeforeItsMeetsIsCarriedOnByTheNextStep() {
    try (FreshNodes fresh = FreshNodes.start(home, 6);
        RedisAdmin admin = new RedisAdmin(Credentials.NONE);
        ClusterObserver observer = new ClusterObserver(admin)) {
      // What a create killed after the epochs and slots, before the first MEET, leaves behind.
      List<NodeAddress> primaries = fresh.addresses().subList(0, 3);
      StepExecutor executor = new StepExecutor(admin, observer, Waiter.standard(), LOG::info);
      for (int i = 0; i < 3; i++) {
        executor.run(new Step.SetConfigEpoch(primaries.get(i), i + 1));
        int from = i * HashSlots.COUNT / 3;
        int to = (i + 1) * HashSlots.COUNT / 3 - 1;
        executor.run(new Step.AssignSlots(primaries.get(i), SlotSet.range(from, to)));
      }
      FixedProvider provider = new FixedProvider(fresh.processes());
      ConvergenceStep step =
          new ConvergenceStep(
              admin,
              observer,
              Waiter.standard(),
              ConvergenceStep.Options.defaults(),
              MigrationListener.NONE,
              LOG::info);
      List<StepResult> trace = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        StepResult r = step.step(DesiredTopology.of(3, 1), provider);
        LOG.info("step: {}", r);
        trace.add(r);
        if (!(r instanceof Progressing)) {
          break;
        }
      }

      assertThat(trace.get(trace.size() - 1)).isInstanceOf(Converged.class);
      assertThat(trace.get(0)).isInstanceOf(Progressing.class);
      assertThat(((Progressing) trace.get(0)).phase()).isEqualTo(Phase.FORMING_CLUSTER);
      assertThat(trace).noneMatch(r -> r instanceof Blocked);
      ClusterView view = observer.observe(fresh.addresses());
      assertThat(view.slotOwners()).hasSize(3);
      view.slotOwners().forEach(p -> assertThat(view.replicasOf(p.id())).hasSize(1));
      assertThat(ClusterChecker.check(view)).isEmpty();
    }
  }
}
