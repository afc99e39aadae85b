package io.slotwise.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.local.RedisServerBinary;
import io.slotwise.engine.topology.NodeAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Forms a cluster from 6 fresh nodes (3 primaries, 1 replica each) with Slotwise and with {@code
 * redis-cli --cluster create}, on fresh nodes each time, and prints for each: how long the command
 * ran, when every node first said {@code cluster_state:ok}, and when every replica was in sync, all
 * measured from the command's start by a poller that asks every node every 10 ms.
 *
 * <p>Usage: {@code CreateBench [--rounds N] [--slotwise PATH]}
 */
public final class CreateBench {
  record Times(double command, double ok, double synced) {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    String slotwise = "./slotwise";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--slotwise" -> slotwise = args[++i];
        default -> {
          System.err.println("error: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    final String launcher = slotwise;
    String redisServer = RedisServerBinary.require(null);
    String redisCli = RedisServerBinary.requireCli(redisServer);
    List<String[]> rows = new ArrayList<>();
    double[] sums = new double[6];
    for (int r = 0; r < rounds; r++) {
      Times sw =
          round(
              redisServer,
              nodes -> {
                List<String> cmd = new ArrayList<>(List.of(launcher, "cluster", "create"));
                nodes.forEach(n -> cmd.add(n.toString()));
                cmd.addAll(List.of("--replicas", "1"));
                return cmd;
              });
      Times rc =
          round(
              redisServer,
              nodes -> {
                List<String> cmd = new ArrayList<>(List.of(redisCli, "--cluster", "create"));
                nodes.forEach(n -> cmd.add(n.toString()));
                cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
                return cmd;
              });
      rows.add(row("slotwise cluster create", sw));
      rows.add(row("redis-cli --cluster create", rc));
      sums[0] += sw.command();
      sums[1] += sw.ok();
      sums[2] += sw.synced();
      sums[3] += rc.command();
      sums[4] += rc.ok();
      sums[5] += rc.synced();
    }
    System.out.printf(
        "%-28s %10s %22s %22s%n",
        "tool (6 fresh nodes, 3x1)",
        "command s",
        "all cluster_state:ok s",
        "all replicas in sync s");
    rows.forEach(r -> System.out.printf("%-28s %10s %22s %22s%n", (Object[]) r));
    System.out.printf(
        "mean over %d rounds: slotwise %.2f / %.2f / %.2f s, redis-cli %.2f / %.2f / %.2f s%n",
        rounds,
        sums[0] / rounds,
        sums[1] / rounds,
        sums[2] / rounds,
        sums[3] / rounds,
        sums[4] / rounds,
        sums[5] / rounds);
    System.out.printf(
        "speed-up: %.1fx to cluster_state:ok, %.1fx to replicas in sync%n",
        sums[4] / sums[1], sums[5] / sums[2]);
  }

  private static String[] row(String tool, Times t) {
    return new String[] {
      tool,
      String.format("%.2f", t.command()),
      String.format("%.2f", t.ok()),
      String.format("%.2f", t.synced())
    };
  }

  interface Command {
    List<String> of(List<NodeAddress> nodes);
  }

  private static Times round(String redisServer, Command command) throws Exception {
    Path home = Files.createTempDirectory("slotwise-create-bench");
    LocalClusterSpec spec =
        new LocalClusterSpec("create", 3, 1, home, 0, redisServer, 15000, null, false);
    List<RedisProcess> procs = new ArrayList<>();
    RedisClient client = RedisClient.create();
    List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        String host = "127.242.0." + (i + 1);
        RedisProcess p =
            new RedisProcess(
                i,
                new NodeAddress(host, freePort(host)),
                freePort(host),
                home.resolve("node-" + i));
        p.writeConfig(spec);
        // Stock settings for replication, as a fresh install has them.
        Files.writeString(
            p.configFile(),
            Files.readString(p.configFile())
                .replace("repl-diskless-sync-delay 0", "repl-diskless-sync-delay 5"));
        p.start(redisServer);
        procs.add(p);
      }
      for (RedisProcess p : procs) {
        StatefulRedisConnection<String, String> c = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c == null) {
          try {
            c = client.connect(RedisURI.create(p.address().host(), p.address().port()));
          } catch (RuntimeException e) {
            if (System.nanoTime() > deadline) {
              throw e;
            }
            Thread.sleep(10);
          }
        }
        conns.add(c);
      }
      // Let every node pass Redis's start-up grace period for cluster_state:ok, as nodes that
      // have been up for a while have.
      Thread.sleep(2_500);
      long start = System.nanoTime();
      Process proc =
          new ProcessBuilder(command.of(procs.stream().map(RedisProcess::address).toList()))
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("out.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      double commandSecs = -1;
      double ok = -1;
      double synced = -1;
      long deadline = start + TimeUnit.SECONDS.toNanos(120);
      while ((ok < 0 || synced < 0 || commandSecs < 0) && System.nanoTime() < deadline) {
        double now = (System.nanoTime() - start) / 1e9;
        if (commandSecs < 0 && !proc.isAlive()) {
          commandSecs = now;
          if (proc.exitValue() != 0) {
            throw new IllegalStateException(
                "create failed: " + Files.readString(home.resolve("out.log")));
          }
        }
        if (ok < 0
            && conns.stream().allMatch(c -> c.sync().clusterInfo().contains("cluster_state:ok"))) {
          ok = now;
        }
        if (ok >= 0 && synced < 0 && replicasInSync(conns)) {
          synced = now;
        }
        Thread.sleep(10);
      }
      return new Times(commandSecs, ok, synced);
    } finally {
      conns.forEach(StatefulRedisConnection::close);
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      procs.forEach(RedisProcess::kill);
      try (Stream<Path> s = Files.walk(home)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static boolean replicasInSync(List<StatefulRedisConnection<String, String>> conns) {
    int replicas = 0;
    for (StatefulRedisConnection<String, String> c : conns) {
      String info = c.sync().info("replication");
      if (info.contains("role:slave")) {
        if (!info.contains("master_link_status:up") || info.contains("master_sync_in_progress:1")) {
          return false;
        }
        replicas++;
      }
    }
    return replicas == 3;
  }

  private static int freePort(String host) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    }
  }
}
