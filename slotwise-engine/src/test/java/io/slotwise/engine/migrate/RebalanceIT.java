package io.slotwise.engine.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.plan.RebalancePlan;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Data movement on real clusters, under a client load, checking every key afterwards. */
class RebalanceIT {
  private static final Logger LOG = LoggerFactory.getLogger(RebalanceIT.class);

  @TempDir Path home;
  private LocalCluster cluster;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final MigrationListener listener =
      new MigrationListener() {
        @Override
        public void warning(String message) {
          warnings.add(message);
        }
      };

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  private Rebalancer rebalancer() {
    return new Rebalancer(
        cluster.admin(),
        cluster.observer(),
        Waiter.standard(),
        SlotMigrator.Options.defaults(),
        listener,
        LOG::info);
  }

  private NodeAddress seed() {
    return cluster.addresses().get(0);
  }

  @Test
  void scaleOutAndInUnderClientLoadLosesNothingAndFailsNoRequest() throws Exception {
    cluster = TestClusters.start(home, 3, 1);
    try (ClusterData data = new ClusterData(seed());
        ClientLoad load = new ClientLoad(seed(), "load")) {
      data.write("pre", 20_000, 100);
      var out = cluster.scale(4, 1, SlotMigrator.Options.defaults(), listener);
      ClusterView grown = cluster.observe();
      // Cheapest slots first: the same slot balance for fewer keys than a quarter of the data. The
      // data includes what the load wrote meanwhile: on Valkey 8, whose SETSLOT waits for replicas,
      // the move takes several times longer and the load writes far more keys than the 20,000.
      assertThat(out.result().keys()).isPositive().isLessThan(grown.totalKeys() / 4);
      assertThat(grown.slotOwners())
          .hasSize(4)
          .allSatisfy(p -> assertThat(p.self().slots().size()).isEqualTo(4096));
      cluster.scale(3, 1, SlotMigrator.Options.defaults(), listener);
      load.stop();
      ClusterView shrunk = cluster.observe();
      assertThat(shrunk.reachable()).hasSize(6);
      assertThat(shrunk.slotOwners()).hasSize(3);
      assertThat(ClusterChecker.check(shrunk)).isEmpty();
      assertThat(data.missing("pre", 20_000, 100)).isEmpty();
      assertThat(load.requests()).isGreaterThan(100);
      assertThat(load.failures()).isEmpty();
      assertThat(load.wrongReads()).isEmpty();
      assertThat(data.missing(load.acknowledged())).isEmpty();
    }
  }

  @Test
  void drainEmptiesAPrimaryAndDelNodeRefusesItBefore() {
    cluster = TestClusters.start(home, 4, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("k", 10_000, 50);
      NodeReport victim = cluster.observe().slotOwners().get(3);
      NodeMembership membership =
          new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), LOG::info);
      assertThatThrownBy(() -> membership.remove(seed(), victim.id()))
          .isInstanceOf(PlanningException.class)
          .hasMessageContaining("drain it first");

      Rebalancer.Outcome dry = rebalancer().drain(seed(), victim.id(), true);
      assertThat(dry.result()).isNull();
      assertThat(cluster.observer().report(victim.address()).self().slots().size())
          .isEqualTo(victim.self().slots().size());

      Rebalancer.Outcome out = rebalancer().drain(seed(), victim.id(), false);
      assertThat(out.plan().moves()).hasSize(victim.self().slots().size());
      ClusterView after = cluster.observe();
      assertThat(after.node(victim.id()).orElseThrow().self().slots().isEmpty()).isTrue();
      assertThat(after.slotOwners())
          .hasSize(3)
          .allSatisfy(p -> assertThat(p.self().slots().size()).isBetween(5460, 5462));
      assertThat(data.missing("k", 10_000, 50)).isEmpty();
      membership.remove(seed(), victim.id());
      assertThat(cluster.observer().observe(List.of(seed())).knownIds())
          .doesNotContain(victim.id());
    }
  }

  @Test
  void reshardMovesExactlyTheAskedSlots() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("r", 5_000, 50);
      List<NodeReport> owners = cluster.observe().slotOwners();
      String to = owners.get(0).id();
      rebalancer()
          .reshard(seed(), List.of(owners.get(1).id(), owners.get(2).id()), to, 1000, false);
      ClusterView after = cluster.observe();
      assertThat(after.node(to).orElseThrow().self().slots().size())
          .isEqualTo(owners.get(0).self().slots().size() + 1000);
      assertThat(
              after.node(owners.get(1).id()).orElseThrow().self().slots().size()
                  + after.node(owners.get(2).id()).orElseThrow().self().slots().size())
          .isEqualTo(16384 - 5461 - 1000);
      assertThat(data.missing("r", 5_000, 50)).isEmpty();
      assertThat(ClusterChecker.check(after)).isEmpty();
    }
  }

  @Test
  void balancingByKeysFixesSkewThatSlotBalancingLeaves() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("u", 6_000, 20);
      // A few heavy hash tags, all living on the first primary's slots.
      NodeReport first = cluster.observe().slotOwners().get(0);
      Map<String, String> heavy = new HashMap<>();
      int tags = 0;
      for (int t = 0; tags < 6; t++) {
        String tag = "tag" + t;
        if (first.self().slots().contains(HashSlots.slotOf(tag))) {
          for (int i = 0; i < 2_000; i++) {
            heavy.put("{" + tag + "}:" + i, "x" + i);
          }
          tags++;
        }
      }
      data.writeAll(heavy);

      Rebalancer.Outcome bySlots =
          rebalancer()
              .rebalance(
                  seed(), new Rebalancer.Request(BalanceBy.SLOTS, 2, Map.of(), false, null, true));
      assertThat(bySlots.plan().moves()).isEmpty();

      Rebalancer.Outcome byKeys =
          rebalancer()
              .rebalance(
                  seed(), new Rebalancer.Request(BalanceBy.KEYS, 5, Map.of(), false, null, false));
      assertThat(byKeys.plan().imbalanceBefore()).isGreaterThan(50);
      Map<String, Long> keysNow = new HashMap<>();
      for (NodeReport p : cluster.observe().slotOwners()) {
        keysNow.put(p.id(), p.keys());
      }
      assertThat(RebalancePlan.imbalancePercent(keysNow, byKeys.plan().target()))
          .isLessThanOrEqualTo(5.0);
      assertThat(data.missing("u", 6_000, 20)).isEmpty();
      assertThat(data.missing(heavy)).isEmpty();
    }
  }

  @Test
  void busyKeyKeepsBothCopiesWhenAskedTo() {
    SlotMigrator.Result r = moveWithStaleCopy("target-copy", true);
    assertThat(r.conflicts()).isEqualTo(1);
  }

  @Test
  void busyKeyWithADifferentValueKeepsTheSourcesAndLeavesNoStrayKey() {
    SlotMigrator.Result r = moveWithStaleCopy("target-copy", false);
    assertThat(r.conflicts()).isEqualTo(1);
    assertThat(warnings).anyMatch(w -> w.contains("'busy'") && w.contains("dropped the target's"));
    try (ClusterData data = new ClusterData(seed())) {
      assertThat(data.connection().sync().get("busy")).isEqualTo("source-copy");
      assertThat(data.connection().sync().keys("*slotwise-busykey*")).isEmpty();
      assertThat(data.connection().sync().dbsize()).isEqualTo(1);
    }
  }

  @Test
  void busyKeyWithTheSameValueIsReplacedSilently() {
    SlotMigrator.Result r = moveWithStaleCopy("source-copy", false);
    assertThat(r.conflicts()).isZero();
    assertThat(warnings).isEmpty();
    try (ClusterData data = new ClusterData(seed())) {
      assertThat(data.connection().sync().get("busy")).isEqualTo("source-copy");
      assertThat(data.connection().sync().dbsize()).isEqualTo(1);
    }
  }

  private SlotMigrator.Result moveWithStaleCopy(String targetValue, boolean keep) {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      ClusterView view = cluster.observe();
      String key = "busy";
      int slot = HashSlots.slotOf(key);
      NodeReport owner =
          view.slotOwners().stream()
              .filter(p -> p.self().slots().contains(slot))
              .findFirst()
              .orElseThrow();
      NodeReport other =
          view.slotOwners().stream()
              .filter(p -> !p.id().equals(owner.id()))
              .findFirst()
              .orElseThrow();
      data.writeAll(Map.of(key, "source-copy"));
      var o = cluster.admin().node(other.address());
      o.setSlotImporting(slot, owner.id());
      try (var c =
          io.lettuce.core.RedisClient.create(
                  io.lettuce.core.RedisURI.create(other.address().host(), other.address().port()))
              .connect()) {
        c.sync().asking();
        c.sync().set(key, targetValue);
      }
      o.setSlotStable(slot);
      SlotMigrator.Result r =
          new SlotMigrator(
                  cluster.admin(),
                  SlotMigrator.Options.defaults().withKeepConflictingCopies(keep),
                  listener)
              .migrate(
                  List.of(
                      new SlotMove(slot, owner.id(), owner.address(), other.id(), other.address())),
                  cluster.addresses());
      assertThat(cluster.observe().openSlots()).isEmpty();
      return r;
    }
  }

  @Test
  void busyKeyKeepsBothCopies() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      ClusterView view = cluster.observe();
      NodeReport src = view.slotOwners().get(0);
      NodeReport dst = view.slotOwners().get(1);
      String key = "busy";
      int slot = HashSlots.slotOf(key);
      NodeReport owner =
          view.slotOwners().stream()
              .filter(p -> p.self().slots().contains(slot))
              .findFirst()
              .orElseThrow();
      NodeReport other = owner.id().equals(src.id()) ? dst : src;
      data.writeAll(Map.of(key, "source-copy"));
      // Plant a stale copy on the other primary, as an interrupted earlier move could leave.
      var o = cluster.admin().node(other.address());
      o.setSlotImporting(slot, owner.id());
      try (var c =
          io.lettuce.core.RedisClient.create(
                  io.lettuce.core.RedisURI.create(other.address().host(), other.address().port()))
              .connect()) {
        c.sync().asking();
        c.sync().set(key, "target-copy");
      }
      o.setSlotStable(slot);

      new SlotMigrator(
              cluster.admin(),
              SlotMigrator.Options.defaults().withKeepConflictingCopies(true),
              listener)
          .migrate(
              List.of(new SlotMove(slot, owner.id(), owner.address(), other.id(), other.address())),
              cluster.addresses());

      assertThat(data.connection().sync().get(key)).isEqualTo("source-copy");
      assertThat(warnings).anyMatch(w -> w.contains("existed on both"));
      String kept =
          warnings.stream()
              .filter(w -> w.contains("existed on both"))
              .findFirst()
              .orElseThrow()
              .replaceAll(".*is now '(.*)'$", "$1");
      assertThat(data.connection().sync().get(kept)).isEqualTo("target-copy");
      assertThat(cluster.observe().openSlots()).isEmpty();
    }
  }

  /**
   * The migrator scans a slot with one script call; a user who may not run scripts gets the same
   * migration from plain commands.
   */
  @Test
  void aUserWithoutScriptingMovesEveryKeyWithPlainCommands() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("k", 5_000, 16);
      for (NodeAddress a : cluster.addresses()) {
        try (var c =
            io.lettuce.core.RedisClient.create(io.lettuce.core.RedisURI.create(a.host(), a.port()))
                .connect()) {
          c.sync()
              .aclSetuser(
                  "mover",
                  io.lettuce.core.AclSetuserArgs.Builder.on()
                      .addPassword("mover-secret")
                      .allKeys()
                      .allCommands()
                      .removeCategory(io.lettuce.core.AclCategory.SCRIPTING));
        }
      }
      ClusterView view = cluster.observe();
      NodeReport owner = view.slotOwners().get(0);
      NodeReport other = view.slotOwners().get(1);
      List<SlotMove> moves = new java.util.ArrayList<>();
      for (int slot : owner.self().slots().first(200).toArray()) {
        moves.add(new SlotMove(slot, owner.id(), owner.address(), other.id(), other.address()));
      }
      long keysBefore = 0;
      for (SlotMove m : moves) {
        keysBefore += cluster.admin().node(owner.address()).countKeysInSlot(m.slot());
      }
      SlotMigrator.Result r;
      try (io.slotwise.engine.redis.RedisAdmin mover =
          new io.slotwise.engine.redis.RedisAdmin(
              io.slotwise.engine.redis.Credentials.of("mover", "mover-secret"))) {
        r =
            new SlotMigrator(mover, SlotMigrator.Options.defaults(), listener)
                .migrate(moves, cluster.addresses());
      }
      assertThat(keysBefore).isGreaterThan(0);
      assertThat(r.keys()).isEqualTo(keysBefore);
      assertThat(cluster.observe().openSlots()).isEmpty();
      assertThat(cluster.observer().report(other.address()).self().slots().first(1).toArray())
          .isNotEmpty();
      for (int i = 0; i < 5_000; i++) {
        assertThat(data.connection().sync().get(ClusterData.key("k", i)))
            .isEqualTo(ClusterData.value("k", i, 16));
      }
      assertThat(cluster.admin().node(owner.address()).info("errorstats"))
          .as("the scripts were refused")
          .containsKey("errorstat_NOPERM");
    }
  }

  @Test
  void largeKeyMovesWithoutLeavingItsSlotOpen() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      String big = "x".repeat(30 * 1024 * 1024);
      data.writeAll(Map.of("big", big, "small", "s"));
      int slot = HashSlots.slotOf("big");
      ClusterView view = cluster.observe();
      NodeReport owner =
          view.slotOwners().stream()
              .filter(p -> p.self().slots().contains(slot))
              .findFirst()
              .orElseThrow();
      NodeReport other =
          view.slotOwners().stream()
              .filter(p -> !p.id().equals(owner.id()))
              .findFirst()
              .orElseThrow();
      SlotMigrator.Result r =
          new SlotMigrator(cluster.admin(), SlotMigrator.Options.defaults(), listener)
              .migrate(
                  List.of(
                      new SlotMove(slot, owner.id(), owner.address(), other.id(), other.address())),
                  cluster.addresses());
      assertThat(r.keys()).isEqualTo(1);
      assertThat(r.bytes()).isGreaterThan(30L * 1024 * 1024);
      assertThat(cluster.observe().openSlots()).isEmpty();
      assertThat(cluster.observer().report(other.address()).self().slots().contains(slot)).isTrue();
      assertThat(data.connection().sync().strlen("big")).isEqualTo(big.length());
    }
  }

  @Test
  void targetOutOfMemoryStopsReportsAndLosesNothingThenResumes() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("m", 20_000, 1_000);
      ClusterView view = cluster.observe();
      NodeReport target = view.slotOwners().get(2);
      var t = cluster.admin().node(target.address());
      long used = Long.parseLong(t.info("memory").get("used_memory"));
      t.configSet("maxmemory-policy", "noeviction");
      t.configSet("maxmemory", Long.toString(used + 1024 * 1024));
      String source = view.slotOwners().get(0).id();
      assertThatThrownBy(
              () -> rebalancer().reshard(seed(), List.of(source), target.id(), 5000, false))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("OOM");
      assertThat(data.missing("m", 20_000, 1_000)).isEmpty();

      t.configSet("maxmemory", "0");
      rebalancer()
          .rebalance(
              seed(), new Rebalancer.Request(BalanceBy.SLOTS, 2, Map.of(), false, null, false));
      ClusterView after = cluster.observe();
      assertThat(after.openSlots()).isEmpty();
      assertThat(ClusterChecker.check(after)).isEmpty();
      assertThat(data.missing("m", 20_000, 1_000)).isEmpty();
    }
  }

  @Test
  void rebalanceAfterAnAbruptStopFinishesTheOpenMoves() {
    cluster = TestClusters.start(home, 3, 0);
    try (ClusterData data = new ClusterData(seed())) {
      data.write("c", 20_000, 100);
      ClusterView view = cluster.observe();
      NodeReport src = view.slotOwners().get(0);
      NodeReport dst = view.slotOwners().get(1);
      // Stop abruptly in the middle of draining, as a killed process would: no clean-up runs.
      MigrationListener crashing =
          new MigrationListener() {
            long moved;

            @Override
            public void moved(long keys, long bytes) {
              moved += keys;
              if (moved > 100) {
                throw new SimulatedCrash();
              }
            }
          };
      int[] slots = src.self().slots().first(200).toArray();
      List<SlotMove> moves =
          java.util.Arrays.stream(slots)
              .mapToObj(s -> new SlotMove(s, src.id(), src.address(), dst.id(), dst.address()))
              .toList();
      assertThatThrownBy(
              () ->
                  new SlotMigrator(
                          cluster.admin(),
                          new SlotMigrator.Options(64, 50, 4096, 50, 1, 1, 1),
                          crashing)
                      .migrate(moves, cluster.addresses()))
          .isInstanceOf(MigrationException.class);
      assertThat(cluster.observe().openSlots()).isNotEmpty();
      assertThat(data.missing("c", 20_000, 100)).isEmpty();

      Rebalancer.Outcome out =
          rebalancer()
              .rebalance(
                  seed(), new Rebalancer.Request(BalanceBy.SLOTS, 2, Map.of(), false, null, false));
      assertThat(out.resumedSlots()).isGreaterThan(0);
      ClusterView after = cluster.observe();
      assertThat(after.openSlots()).isEmpty();
      assertThat(ClusterChecker.check(after)).isEmpty();
      assertThat(data.missing("c", 20_000, 100)).isEmpty();
    }
  }

  /** Stands for a process killed between two commands: escapes every clean-up path. */
  static final class SimulatedCrash extends Error {
    SimulatedCrash() {
      super("simulated crash");
    }
  }
}
