package io.slotwise.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.RepairOptions;
import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.KeyLedger;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real local cluster with a few hundred keys that a test breaks, checks and fixes: it observes
 * from the nodes whose process still runs, runs {@link ClusterChecker} and {@link ClusterFixer} as
 * the CLI does, and proves afterwards that every key written is still readable from its owner.
 * {@link #close()} stops every process, also the extra nodes a test added.
 */
final class BrokenCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrokenCluster.class);
  static final Duration CONVERGENCE = Duration.ofSeconds(30);

  private final Path home;
  final LocalCluster cluster;
  final KeyLedger keys = new KeyLedger();
  private FreshNodes extra;

  private BrokenCluster(Path home, LocalCluster cluster) {
    this.home = home;
    this.cluster = cluster;
  }

  /** Starts a shards x replicas cluster and writes {@code keyCount} keys spread over the slots. */
  static BrokenCluster start(Path home, int shards, int replicas, int keyCount) {
    BrokenCluster b = new BrokenCluster(home, TestClusters.start(home, shards, replicas));
    try {
      ClusterView view = b.view();
      b.keys.writeSpread(view, keyCount);
      b.keys.awaitReplicated(view);
      return b;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /** Starts fresh nodes outside the cluster; they are stopped with it. */
  List<RedisProcess> freshNodes(int count) {
    if (extra == null) {
      extra = FreshNodes.start(home.resolve("extra"), count);
      return extra.processes();
    }
    return extra.add(home.resolve("extra"), count);
  }

  /**
   * Adds a fresh node as a replica of the primary with the fewest replicas, as an operator would.
   */
  RedisProcess addReplica() {
    RedisProcess fresh = freshNodes(1).get(0);
    membership().add(liveSeeds().get(0), fresh.address(), null, true);
    return fresh;
  }

  NodeMembership membership() {
    return new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), LOG::info);
  }

  /** Asserts that no live node remembers the node with this id. */
  void assertForgottenEverywhere(String id) {
    assertThat(view().reachable())
        .allSatisfy(
            r -> assertThat(r.about(id)).as("%s still knows %s", r.address(), id).isEmpty());
  }

  /** Addresses of every node whose process runs. */
  List<NodeAddress> liveSeeds() {
    Stream<RedisProcess> all =
        Stream.concat(
            cluster.nodes().stream(), extra == null ? Stream.empty() : extra.processes().stream());
    return all.filter(RedisProcess::alive).map(RedisProcess::address).toList();
  }

  ClusterView view() {
    return cluster.observer().observe(liveSeeds());
  }

  List<Problem> check() {
    ClusterView v = view();
    return ClusterChecker.check(v, SlotKeysCounter.count(cluster.admin(), v));
  }

  List<ProblemKind> kinds() {
    return check().stream().map(Problem::kind).toList();
  }

  /** Waits until check names the problem. */
  List<Problem> awaitProblem(ProblemKind kind) {
    List<List<Problem>> last = new ArrayList<>();
    await("for check to report " + kind)
        .atMost(CONVERGENCE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<Problem> p = check();
              last.add(0, p);
              return p.stream().anyMatch(x -> x.kind() == kind);
            });
    LOG.info("check reports: {}", last.get(0));
    return last.get(0);
  }

  /** Runs the fixer from the live nodes, as {@code slotwise cluster fix} does: what it repaired. */
  List<String> fix() {
    return fixReport(RepairOptions.SAFE).repaired();
  }

  FixReport fixReport(RepairOptions options) {
    FixReport report = fixer().fix(liveSeeds(), options);
    LOG.info("fix: {}", report.outcomes());
    return report;
  }

  ClusterFixer fixer() {
    return new ClusterFixer(cluster.admin(), cluster.observer(), Waiter.standard(), LOG::info);
  }

  /** Waits until check finds nothing, then asserts that every key written reads back. */
  void awaitHealthyWithEveryKey() {
    awaitOnly();
    assertThat(keys.unreadable(view())).as("keys lost or unreadable after fix").isEmpty();
  }

  /** Waits until the only problems check names are of the given kinds (none when empty). */
  void awaitOnly(ProblemKind... allowed) {
    List<ProblemKind> ok = List.of(allowed);
    await("for check to find nothing but " + ok)
        .atMost(CONVERGENCE)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(check()).allMatch(p -> ok.contains(p.kind())));
  }

  NodeClient node(NodeReport r) {
    return cluster.admin().node(r.address());
  }

  NodeClient node(NodeAddress a) {
    return cluster.admin().node(a);
  }

  RedisProcess process(NodeReport r) {
    return Stream.concat(
            cluster.nodes().stream(), extra == null ? Stream.empty() : extra.processes().stream())
        .filter(p -> p.address().equals(r.address()))
        .findFirst()
        .orElseThrow();
  }

  /** The reachable primary that owns this slot. */
  static NodeReport ownerOf(ClusterView view, int slot) {
    List<String> c = view.claimedOwners().get(slot);
    assertThat(c).hasSize(1);
    return view.node(c.get(0)).orElseThrow();
  }

  static Optional<NodeReport> primary(ClusterView view, Predicate<NodeReport> p) {
    return view.slotOwners().stream().filter(p).findFirst();
  }

  @Override
  public void close() {
    try {
      keys.close();
    } finally {
      try {
        if (extra != null) {
          extra.close();
        }
      } finally {
        cluster.destroy();
        cluster.close();
      }
    }
  }
}
