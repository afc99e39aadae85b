package io.slotwise.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.local.RedisServerBinary;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Moves the same data with Slotwise and with {@code redis-cli --cluster}, side by side, and prints
 * keys/s and the ratios. Each contestant gets a fresh 3 primary + 3 replica local cluster loaded
 * with the same keys; afterwards every key is read back and compared.
 *
 * <p>Scenarios: {@code add-shard} (a 4th, empty shard joins; rebalance with empty primaries) and
 * {@code drain} (one of 4 primaries is emptied onto the others).
 *
 * <p>While each tool moves data, an independent cluster client ({@link LatencyProbe}) sends {@code
 * INCR} at full speed; the table shows its p50, p99 and slowest request for each tool. For
 * Slotwise, the time line it prints at the end says where its time went (start-up, observation,
 * statistics, planning, migration, waits).
 *
 * <p>Slotwise runs through its launcher ({@code ./slotwise}), as users run it.
 *
 * <p>Usage: {@code RebalanceBench [--keys N] [--value-size B] [--scenario add-shard|drain|all]
 * [--tools slotwise,redis-cli,...] [--slotwise PATH] [--setup-only]}; a tool {@code "slotwise
 * --migrate-millis 0"} runs Slotwise with those options.
 */
public final class RebalanceBench {
  private static final String LOG_PREFIX = "bench: ";

  private final int keys;
  private final int valueSize;
  private final String launcher;
  private final String redisCli;
  private final String redisServer;

  RebalanceBench(int keys, int valueSize, String jar, String redisCli, String redisServer) {
    this.keys = keys;
    this.valueSize = valueSize;
    this.launcher = jar;
    this.redisCli = redisCli;
    this.redisServer = redisServer;
  }

  record Run(
      String scenario,
      String tool,
      double seconds,
      long keysMoved,
      long missing,
      LatencyProbe.Figures latency,
      String time) {
    double keysPerSecond() {
      return seconds > 0 ? keysMoved / seconds : 0;
    }
  }

  public static void main(String[] args) throws Exception {
    int keys = 1_000_000;
    int valueSize = 100;
    String scenario = "all";
    String jar = "./slotwise";
    List<String> tools = List.of("slotwise", "redis-cli", "redis-cli --cluster-pipeline 1000");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--value-size" -> valueSize = Integer.parseInt(args[++i]);
        case "--scenario" -> scenario = args[++i];
        case "--slotwise" -> jar = args[++i];
        case "--tools" -> tools = List.of(args[++i].split(","));
        case "--setup-only" -> tools = List.of();
        default -> {
          System.err.println("error: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (!Files.exists(Path.of(jar))) {
      System.err.println(
          "error: " + jar + " not found; run from the repository root or pass --slotwise PATH");
      System.exit(2);
    }
    String redisServer = RedisServerBinary.require(null);
    String redisCli = RedisServerBinary.requireCli(redisServer);
    RebalanceBench bench = new RebalanceBench(keys, valueSize, jar, redisCli, redisServer);
    List<Run> runs = new ArrayList<>();
    List<String> scenarios =
        scenario.equals("all") ? List.of("add-shard", "drain") : List.of(scenario);
    for (String sc : scenarios) {
      if (tools.isEmpty()) {
        bench.setupOnly();
        return;
      }
      for (String tool : tools) {
        Run r = bench.run(sc, tool);
        runs.add(r);
        say(
            String.format(
                "%s / %s: %d keys moved in %.2f s = %,.0f keys/s, %d keys missing or wrong;"
                    + " client: %d requests, p50 %.2f ms, p99 %.2f ms, max %.1f ms (at %.2f s),"
                    + " %d errors",
                r.scenario(),
                r.tool(),
                r.keysMoved(),
                r.seconds(),
                r.keysPerSecond(),
                r.missing(),
                r.latency().requests(),
                r.latency().p50(),
                r.latency().p99(),
                r.latency().max(),
                r.latency().maxAt(),
                r.latency().errors()));
      }
    }
    System.out.println();
    System.out.printf(
        "%-10s %-36s %9s %11s %10s %13s %15s %8s %8s %8s %9s %7s%n",
        "scenario",
        "tool",
        "seconds",
        "keys moved",
        "keys/s",
        "keys/s ratio",
        "speed-up (time)",
        "p50 ms",
        "p99 ms",
        "max ms",
        "requests",
        "errors");
    Map<String, Run> baseline = new HashMap<>();
    for (Run r : runs) {
      if (r.tool().equals("redis-cli")) {
        baseline.put(r.scenario(), r);
      }
    }
    boolean lost = false;
    for (Run r : runs) {
      Run base = baseline.get(r.scenario());
      System.out.printf(
          "%-10s %-36s %9.2f %11d %10.0f %12.2fx %14.2fx %8.2f %8.2f %8.1f %9d %7d%n",
          r.scenario(),
          r.tool(),
          r.seconds(),
          r.keysMoved(),
          r.keysPerSecond(),
          base != null && base.keysPerSecond() > 0 ? r.keysPerSecond() / base.keysPerSecond() : 0,
          base != null && r.seconds() > 0 ? base.seconds() / r.seconds() : 0,
          r.latency().p50(),
          r.latency().p99(),
          r.latency().max(),
          r.latency().requests(),
          r.latency().errors());
      lost |= r.missing() > 0 || r.latency().wrong() > 0;
    }
    System.out.println();
    for (Run r : runs) {
      if (r.time() != null) {
        System.out.printf(
            "%-10s %s %s; JVM exit %.2f s%n",
            r.scenario(), r.tool(), r.time(), r.seconds() - inAll(r.time()));
      }
    }
    System.out.println(
        "client latency: one Lettuce cluster client sending INCR of "
            + LatencyProbe.KEYS
            + " keys back to back while the tool runs (from send to reply, redirects included)");
    System.out.println(
        "ratios are against redis-cli --cluster with its default pipeline (10 keys per MIGRATE);"
            + " Slotwise moves the slots with the fewest keys first, so it may move fewer keys for the same slot balance");
    System.out.println(
        lost
            ? "VERIFY FAILED: some keys were missing or wrong"
            : "verified: every key read back with its value after every run");
    System.exit(lost ? 1 : 0);
  }

  static void say(String s) {
    System.err.println(LOG_PREFIX + s);
  }

  /** Leaves a loaded 3x1 cluster plus an empty 4th shard running, for profiling by hand. */
  void setupOnly() throws Exception {
    Path home = Files.createTempDirectory("slotwise-bench");
    LocalCluster cluster =
        LocalCluster.up(
            new LocalClusterSpec("bench", 3, 1, home, 0, redisServer, 15000, null, false),
            line -> {});
    NodeAddress seed = cluster.addresses().get(0);
    load(cluster.observe());
    NodeMembership membership =
        new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), line -> {});
    RedisProcess primary = cluster.startNewNode();
    String newId = membership.add(seed, primary.address(), null, false);
    membership.add(seed, cluster.startNewNode().address(), newId, false);
    System.out.println(
        "seed "
            + seed
            + " new "
            + newId
            + " home "
            + home
            + " (stop with: slotwise local down --name bench --dir "
            + home
            + ")");
    cluster.close();
  }

  /** The seconds a Slotwise time line says the process took in all. */
  static double inAll(String time) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+) s in all").matcher(time);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  Run run(String scenario, String tool) throws Exception {
    Path home = Files.createTempDirectory("slotwise-bench");
    LocalClusterSpec spec =
        new LocalClusterSpec("bench", 3, 1, home, 0, redisServer, 15000, null, false);
    say("starting a fresh 3x1 cluster for " + scenario + " / " + tool);
    LocalCluster cluster = LocalCluster.up(spec, line -> {});
    try {
      NodeAddress seed = cluster.addresses().get(0);
      long t0 = System.nanoTime();
      load(cluster.observe());
      say(
          String.format(
              "loaded %d keys of %d bytes in %.1f s",
              keys, valueSize, (System.nanoTime() - t0) / 1e9));
      NodeMembership membership =
          new NodeMembership(cluster.admin(), cluster.observer(), Waiter.standard(), line -> {});
      RedisProcess primary = cluster.startNewNode();
      String newId = membership.add(seed, primary.address(), null, false);
      RedisProcess replica = cluster.startNewNode();
      membership.add(seed, replica.address(), newId, false);
      List<String> cmd;
      String watched;
      if (scenario.equals("add-shard")) {
        watched = newId;
        cmd =
            tool.startsWith("slotwise")
                ? slotwise(
                    tool, List.of("cluster", "rebalance", seed.toString(), "--use-empty-primaries"))
                : redisCli(
                    List.of(
                        "--cluster", "rebalance", seed.toString(), "--cluster-use-empty-masters"),
                    tool);
      } else {
        // First give the 4th shard its share, untimed, so that draining moves a full shard's data.
        exec(List.of(launcher, "cluster", "rebalance", seed.toString(), "--use-empty-primaries"));
        watched = newId;
        cmd =
            tool.startsWith("slotwise")
                ? slotwise(tool, List.of("cluster", "drain", seed.toString(), newId))
                : redisCli(
                    List.of(
                        "--cluster",
                        "rebalance",
                        seed.toString(),
                        "--cluster-weight",
                        newId + "=0"),
                    tool);
      }
      long before = keysOn(cluster, watched);
      List<String> output;
      LatencyProbe.Figures latency;
      double secs;
      try (LatencyProbe probe = new LatencyProbe(seed)) {
        probe.connectEverywhere();
        serverStalls(cluster, true);
        // The client runs in this JVM: collect the loading's garbage now, not during the move.
        System.gc();
        Thread.sleep(1000); // the client's connections and code paths warm up first
        say("running: " + String.join(" ", cmd));
        probe.startMeasuring();
        long start = System.nanoTime();
        output = exec(cmd);
        secs = (System.nanoTime() - start) / 1e9;
        latency = probe.stopMeasuring();
      }
      serverStalls(cluster, false).forEach(l -> say("  server stall: " + l));
      long after = keysOn(cluster, watched);
      long moved = Math.abs(after - before);
      long missing = verify(cluster.observe());
      String time =
          output.stream()
              .filter(l -> l.startsWith("time: "))
              .map(l -> l.substring("time: ".length()))
              .findFirst()
              .orElse(null);
      return new Run(scenario, tool, secs, moved, missing, latency, time);
    } finally {
      cluster.destroy();
      cluster.close();
      Files.deleteIfExists(home);
    }
  }

  // One slow log entry in redis-cli --json: [id, unix time, microseconds, ["COMMAND", "arg"...
  // (the first 40 characters of the first argument: a script's opening, a subcommand).
  private static final java.util.regex.Pattern SLOWLOG_ENTRY =
      java.util.regex.Pattern.compile("\\[\\d+,\\d+,(\\d+),\\[\"([^\"]*)\"(?:,\"([^\"]{0,40}))?");

  /**
   * Turns on Redis's latency monitor (events of 20 ms or more) on every node, or reads what it
   * recorded: where the servers themselves stalled, as opposed to the client or the machine, and
   * which commands took 20 ms or more (the slow log).
   */
  private List<String> serverStalls(LocalCluster cluster, boolean reset) throws Exception {
    List<String> out = new ArrayList<>();
    for (NodeReport n : cluster.observe().reachable()) {
      String h = n.address().host();
      String p = Integer.toString(n.address().port());
      if (reset) {
        exec(
            List.of(
                redisCli, "-h", h, "-p", p, "config", "set", "latency-monitor-threshold", "20"));
        exec(List.of(redisCli, "-h", h, "-p", p, "latency", "reset"));
        exec(
            List.of(
                redisCli, "-h", h, "-p", p, "config", "set", "slowlog-log-slower-than", "20000"));
        exec(List.of(redisCli, "-h", h, "-p", p, "slowlog", "reset"));
      } else {
        List<String> lines = exec(List.of(redisCli, "-h", h, "-p", p, "latency", "latest"));
        // Four lines per event: name, unix time, latest ms, all-time max ms.
        for (int i = 0; i + 3 < lines.size(); i += 4) {
          out.add(n.address() + " " + lines.get(i) + " max " + lines.get(i + 3) + " ms");
        }
        // Which commands those were: the slow log's entries of 20 ms or more, slowest first.
        String slow =
            String.join("", exec(List.of(redisCli, "-h", h, "-p", p, "--json", "slowlog", "get")));
        List<String> entries = new ArrayList<>();
        java.util.regex.Matcher m = SLOWLOG_ENTRY.matcher(slow);
        while (m.find()) {
          String arg = m.group(3) == null ? "" : " " + m.group(3);
          entries.add(
              String.format("%.0f ms %s%s", Long.parseLong(m.group(1)) / 1000.0, m.group(2), arg));
        }
        if (!entries.isEmpty()) {
          entries.sort(
              java.util.Comparator.comparingDouble(
                      (String e) -> Double.parseDouble(e.substring(0, e.indexOf(' '))))
                  .reversed());
          out.add(
              n.address()
                  + " slow commands: "
                  + String.join(", ", entries.subList(0, Math.min(5, entries.size()))));
        }
      }
    }
    return out;
  }

  /** The launcher with {@code args}, then any options the tool's name adds after "slotwise". */
  private List<String> slotwise(String tool, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher);
    cmd.addAll(args);
    String extra = tool.substring("slotwise".length()).trim();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split(" +")));
    }
    return cmd;
  }

  private List<String> redisCli(List<String> args, String tool) {
    List<String> cmd = new ArrayList<>();
    cmd.add(redisCli);
    cmd.addAll(args);
    if (tool.contains("--cluster-pipeline")) {
      cmd.add("--cluster-pipeline");
      cmd.add("1000");
    }
    return cmd;
  }

  /** Runs a command to its end; returns what it printed. */
  private static List<String> exec(List<String> cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile("slotwise-bench", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      throw new IllegalStateException(
          "failed ("
              + p.exitValue()
              + "): "
              + String.join(" ", cmd)
              + "\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (System.getenv("BENCH_VERBOSE") != null) {
      lines.forEach(l -> say("  | " + l));
    }
    Files.deleteIfExists(log);
    return lines;
  }

  private long keysOn(LocalCluster cluster, String id) {
    return cluster.observe().node(id).map(NodeReport::keys).orElse(0L);
  }

  static String key(int i) {
    return "key:" + i;
  }

  static String value(int i, int size) {
    StringBuilder sb = new StringBuilder(size);
    sb.append(i).append(':');
    while (sb.length() < size) {
      sb.append((char) ('a' + (i * 31 + sb.length()) % 26));
    }
    return sb.toString();
  }

  /** Routes each key to its slot's owner and writes it there, pipelined. */
  private void load(ClusterView view) {
    String[] owner = ownerBySlot(view);
    Map<String, List<Integer>> byNode = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      byNode.computeIfAbsent(owner[HashSlots.slotOf(key(i))], k -> new ArrayList<>()).add(i);
    }
    forEachNode(
        view, byNode, (async, i) -> async.set(key(i), value(i, valueSize)), (i, reply) -> true);
  }

  /** Reads every key from its owner now; returns how many are missing or wrong. */
  private long verify(ClusterView view) {
    String[] owner = ownerBySlot(view);
    Map<String, List<Integer>> byNode = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      byNode.computeIfAbsent(owner[HashSlots.slotOf(key(i))], k -> new ArrayList<>()).add(i);
    }
    long total = view.primaries().stream().mapToLong(NodeReport::keys).sum();
    long[] bad = {0};
    forEachNode(
        view,
        byNode,
        (async, i) -> async.get(key(i)),
        (i, reply) -> {
          if (!value(i, valueSize).equals(reply)) {
            bad[0]++;
          }
          return true;
        });
    if (total != keys) {
      say("primaries hold " + total + " keys, expected " + keys);
      bad[0] += Math.abs(total - keys);
    }
    return bad[0];
  }

  private static String[] ownerBySlot(ClusterView view) {
    String[] owner = new String[HashSlots.COUNT];
    for (NodeReport p : view.slotOwners()) {
      for (int s : p.self().slots().toArray()) {
        owner[s] = p.address().toString();
      }
    }
    return owner;
  }

  interface Command {
    RedisFuture<String> send(RedisAsyncCommands<String, String> async, int i);
  }

  interface Check {
    boolean accept(int i, String reply);
  }

  private static void forEachNode(
      ClusterView view, Map<String, List<Integer>> byNode, Command command, Check check) {
    RedisClient client = RedisClient.create();
    try {
      for (Map.Entry<String, List<Integer>> e : byNode.entrySet()) {
        NodeAddress a = NodeAddress.parse(e.getKey());
        try (StatefulRedisConnection<String, String> c =
            client.connect(RedisURI.create(a.host(), a.port()))) {
          c.setTimeout(Duration.ofMinutes(1));
          RedisAsyncCommands<String, String> async = c.async();
          List<Integer> ids = e.getValue();
          for (int from = 0; from < ids.size(); from += 10_000) {
            List<Integer> chunk = ids.subList(from, Math.min(ids.size(), from + 10_000));
            List<RedisFuture<String>> futures = new ArrayList<>(chunk.size());
            for (int i : chunk) {
              futures.add(command.send(async, i));
            }
            for (int k = 0; k < chunk.size(); k++) {
              check.accept(chunk.get(k), futures.get(k).get(1, TimeUnit.MINUTES));
            }
          }
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
      }
    } finally {
      client.shutdown();
    }
  }
}
