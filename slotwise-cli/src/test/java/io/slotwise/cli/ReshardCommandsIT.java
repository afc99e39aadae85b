package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.NodeAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rebalance, reshard, drain and del-node through the command line, on a real cluster. */
class ReshardCommandsIT {
  @TempDir Path home;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.destroy();
      cluster.close();
    }
  }

  record Run(int code, String out, String err) {}

  static Run slotwise(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void dryRunJsonDrainAndDelNode() throws Exception {
    cluster = TestClusters.start(home, 3, 0);
    NodeAddress seed = cluster.addresses().get(0);
    String s = seed.toString();
    try (ClusterData data = new ClusterData(seed)) {
      data.write("cli", 20_000, 64);
      RedisProcess fresh = cluster.startNewNode();
      String newId =
          new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), line -> {})
              .add(seed, fresh.address(), null, false);

      Run bad = slotwise("cluster", "rebalance", s, "--by", "bogus");
      assertThat(bad.code()).isNotZero();
      assertThat(bad.err().strip().lines())
          .hasSize(1)
          .allMatch(l -> l.startsWith("error: ") && l.contains("--by"));

      Run dry = slotwise("cluster", "rebalance", s, "--use-empty-primaries", "--dry-run");
      assertThat(dry.code()).as(dry.err()).isZero();
      assertThat(dry.out())
          .contains("-> " + fresh.address())
          .contains("plan: 4096 slots")
          .contains("(planned)");
      assertThat(slotsOf(newId)).isZero();

      Run real = slotwise("cluster", "rebalance", s, "--use-empty-primaries", "--json");
      assertThat(real.code()).as(real.err()).isZero();
      String json = real.out().strip();
      assertThat(json)
          .startsWith("{")
          .endsWith("}")
          .contains("\"slots\":4096")
          .contains("\"imbalanceAfter\":0.0");
      assertThat(real.err()).contains("progress:");
      assertThat(slotsOf(newId)).isEqualTo(4096);

      Run refused = slotwise("cluster", "del-node", s, newId);
      assertThat(refused.code()).isNotZero();
      assertThat(refused.err().strip().lines())
          .hasSize(1)
          .allMatch(l -> l.startsWith("error: ") && l.contains("drain it first"));
      assertThat(cluster.observe().knownIds()).contains(newId);

      Run reshard =
          slotwise(
              "cluster",
              "reshard",
              s,
              "--from",
              newId.substring(0, 10),
              "--to",
              cluster.observe().slotOwners().get(0).id(),
              "--slots",
              "96");
      assertThat(reshard.code()).as(reshard.err()).isZero();
      assertThat(slotsOf(newId)).isEqualTo(4000);

      Run drain = slotwise("cluster", "drain", s, newId);
      assertThat(drain.code()).as(drain.err()).isZero();
      assertThat(slotsOf(newId)).isZero();

      Run del = slotwise("cluster", "del-node", s, newId);
      assertThat(del.code()).as(del.err()).isZero();
      ClusterView after = cluster.observer().observe(java.util.List.of(seed));
      assertThat(after.knownIds()).doesNotContain(newId);
      assertThat(ClusterChecker.check(after)).isEmpty();
      assertThat(data.missing("cli", 20_000, 64)).isEmpty();
    }
  }

  private int slotsOf(String id) {
    return cluster.observe().node(id).map(NodeReport::self).map(r -> r.slots().size()).orElse(-1);
  }
}
