package io.slotwise.cli;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisServerBinary;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code slotwise local train-class-data}: runs the cluster commands once, in this process, against
 * a small throwaway cluster of local {@code redis-server}s (free ports, a temporary folder), so
 * that the launcher's class-data archive, recorded while this runs, holds the classes a real
 * command loads: connections, scripts, MIGRATE, the planner, the output. Without it the archive
 * knew only what a refused connection loads, and every command read several hundred classes from
 * the jar at start-up.
 */
@Command(
    name = "train-class-data",
    hidden = true,
    description = "Run the cluster commands once on a throwaway local cluster (for the launcher).")
final class TrainCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Path home = Files.createTempDirectory("slotwise-train");
    String server = RedisServerBinary.require(null);
    try (LocalCluster cluster =
        LocalCluster.up(
            new LocalClusterSpec("train", 3, 0, home, 0, server, 2000, null, false), l -> {})) {
      try {
        String seed = cluster.addresses().get(0).toString();
        write(cluster, 3000);
        run("cluster", "check", seed);
        run("cluster", "info", seed);
        NodeAddress fresh = cluster.startNewNode().address();
        run("cluster", "add-node", fresh.toString(), seed);
        run("cluster", "rebalance", seed, "--use-empty-primaries");
        String freshId =
            cluster.observe().reachable().stream()
                .filter(r -> r.address().equals(fresh))
                .map(NodeReport::id)
                .findFirst()
                .orElseThrow();
        run("cluster", "drain", seed, freshId);
        run("cluster", "rebalance", seed, "--by", "keys", "--dry-run");
        run("cluster", "fix", seed);
      } finally {
        cluster.destroy();
      }
    } finally {
      io.slotwise.engine.local.LocalCluster.deleteFolder(home);
    }
    return 0;
  }

  /** Runs one command line in this process, its output discarded. */
  private static void run(String... args) {
    StringWriter sink = new StringWriter();
    var cl = Main.commandLine(args);
    cl.setOut(new PrintWriter(sink));
    cl.setErr(new PrintWriter(sink));
    cl.execute(args);
  }

  /** Keys spread over every primary's slots, so that the commands have data to move. */
  private static void write(LocalCluster cluster, int count) throws Exception {
    List<NodeReport> owners = cluster.observe().slotOwners();
    List<RedisClient> clients = new ArrayList<>();
    try {
      List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
      for (NodeReport o : owners) {
        RedisClient c = RedisClient.create(RedisURI.create(o.address().host(), o.address().port()));
        clients.add(c);
        conns.add(c.connect());
      }
      List<io.lettuce.core.RedisFuture<String>> sets = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String key = "train:" + i;
        int slot = HashSlots.slotOf(key);
        for (int n = 0; n < owners.size(); n++) {
          if (owners.get(n).self().slots().contains(slot)) {
            sets.add(conns.get(n).async().set(key, "value-" + i));
          }
        }
      }
      for (var f : sets) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      clients.forEach(RedisClient::shutdown);
    }
  }
}
