package io.slotwise.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.RedisClusterStatus;
import io.slotwise.operator.sim.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operator's footprint: a simulated Kubernetes (mock API server, pod simulator with real
 * redis-server processes) runs in this JVM, and the operator runs as a separate process ({@code
 * slotwise operator} through the launcher, or {@code java FLAGS -jar slotwise.jar operator}) so
 * that its own resident memory ({@code /proc/PID/status}) and CPU time ({@code /proc/PID/stat}) can
 * be read. It measures the time from creating a 3x1 RedisCluster to Ready, then the memory and CPU
 * of the idle operator over a steady window with 1 Ready cluster, then with N.
 *
 * <p>Usage: {@code FootprintBench [--clusters N] [--window SECONDS] [--launcher PATH | --java
 * "FLAGS"] [--jar PATH] [--threads N] [--jcmd] [--keep DIR]}
 */
public final class FootprintBench {
  private static final String NAMESPACE = "footprint";
  private static final long CLOCK_TICKS = clockTicks();

  /** One reading of the operator process. */
  record Sample(
      long nanos,
      long rssKb,
      long hwmKb,
      long anonKb,
      long fileKb,
      long cpuTicks,
      int threads,
      boolean alive) {}

  /** A steady window: memory at its end and the CPU it used. */
  record Window(
      String phase, int clusters, Sample first, Sample last, long maxRssKb, long reconciles) {
    double cpuPercent() {
      double seconds = (last.nanos() - first.nanos()) / 1e9;
      return 100.0 * (last.cpuTicks() - first.cpuTicks()) / CLOCK_TICKS / seconds;
    }

    double seconds() {
      return (last.nanos() - first.nanos()) / 1e9;
    }
  }

  public static void main(String[] args) throws Exception {
    int clusters = 20;
    int windowSeconds = 60;
    String launcher = "./slotwise";
    String javaFlags = null;
    String jar = "slotwise-cli/target/slotwise.jar";
    int threads = 4;
    boolean jcmd = false;
    Path keep = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clusters" -> clusters = Integer.parseInt(args[++i]);
        case "--window" -> windowSeconds = Integer.parseInt(args[++i]);
        case "--launcher" -> launcher = args[++i];
        case "--java" -> javaFlags = args[++i];
        case "--jar" -> jar = args[++i];
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--jcmd" -> jcmd = true;
        case "--keep" -> keep = Path.of(args[++i]);
        default -> {
          System.err.println("error: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    Path dir =
        keep != null
            ? Files.createDirectories(keep).toAbsolutePath()
            : Files.createTempDirectory("slotwise-footprint");
    Simulation sim = Simulation.start(dir);
    Process operator = null;
    try {
      List<String> cmd = new ArrayList<>();
      if (javaFlags == null) {
        cmd.add(launcher);
      } else {
        cmd.add("java");
        cmd.addAll(Arrays.asList(javaFlags.trim().split("\\s+")));
        cmd.addAll(List.of("-jar", jar));
      }
      cmd.addAll(
          List.of(
              "operator",
              "--redis-port",
              String.valueOf(sim.redisPort()),
              "--http-port",
              "0",
              "--http-host",
              "127.0.0.1",
              "--no-leader-election",
              "--threads",
              String.valueOf(threads)));
      Path log = dir.resolve("operator.log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", sim.kubeconfig().toString());
      System.out.println("operator: " + String.join(" ", cmd));
      long launched = System.nanoTime();
      operator = pb.start();
      long pid = operator.pid();
      String watching =
          awaitLine(operator, log, "slotwise operator watching", Duration.ofMinutes(3));
      Matcher portMatch = Pattern.compile("metrics on port (\\d+)").matcher(watching);
      int httpPort = portMatch.find() ? Integer.parseInt(portMatch.group(1)) : -1;
      double startSeconds = (System.nanoTime() - launched) / 1e9;
      String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
      if (!comm.equals("java")) {
        throw new IllegalStateException("process " + pid + " is " + comm + ", not the JVM");
      }
      Sample started = sample(pid);
      List<String> jcmdReports = new ArrayList<>();

      KubernetesClient client = sim.client();
      long created = System.nanoTime();
      create(client, "c1");
      Sample peak1 = awaitReady(client, List.of("c1"), pid, Duration.ofMinutes(5));
      double readySeconds = (System.nanoTime() - created) / 1e9;
      List<Window> windows = new ArrayList<>();
      windows.add(window("idle", 1, pid, httpPort, windowSeconds));
      if (jcmd) {
        jcmdReports.add(jcmdReport(pid, "1 cluster"));
      }

      double manyReadySeconds = 0;
      Sample peakMany = peak1;
      if (clusters > 1) {
        List<String> names = new ArrayList<>();
        for (int c = 1; c <= clusters; c++) {
          names.add("c" + c);
        }
        long start = System.nanoTime();
        for (String n : names.subList(1, names.size())) {
          create(client, n);
        }
        peakMany = awaitReady(client, names, pid, Duration.ofMinutes(20));
        manyReadySeconds = (System.nanoTime() - start) / 1e9;
        windows.add(window("idle", clusters, pid, httpPort, windowSeconds));
        if (jcmd) {
          jcmdReports.add(jcmdReport(pid, clusters + " clusters"));
        }
      }
      Sample end = sample(pid);

      System.out.println();
      System.out.printf(
          "operator start (launch to watching): %.1f s, RSS %s%n",
          startSeconds, mib(started.rssKb()));
      System.out.printf("create -> Ready, one 3x1 RedisCluster: %.1f s%n", readySeconds);
      if (clusters > 1) {
        System.out.printf(
            "create -> Ready, %d more 3x1 RedisClusters at once: %.1f s (RSS at most %s meanwhile)%n",
            clusters - 1, manyReadySeconds, mib(peakMany.rssKb()));
      }
      System.out.println();
      System.out.printf(
          "%-20s %9s %9s %9s %9s %9s %8s %9s %11s%n",
          "state",
          "RSS MiB",
          "max MiB",
          "anon MiB",
          "file MiB",
          "HWM MiB",
          "threads",
          "CPU %",
          "reconciles");
      for (Window w : windows) {
        System.out.printf(
            "%-20s %9s %9s %9s %9s %9s %8d %9.2f %11d%n",
            w.phase() + ", " + w.clusters() + (w.clusters() == 1 ? " cluster" : " clusters"),
            mib(w.last().rssKb()),
            mib(w.maxRssKb()),
            mib(w.last().anonKb()),
            mib(w.last().fileKb()),
            mib(w.last().hwmKb()),
            w.last().threads(),
            w.cpuPercent(),
            w.reconciles());
      }
      System.out.printf(
          "(CPU %% of one core over a %.0f s window; RSS at the window's end; HWM: the peak RSS"
              + " since start; whole run %.1f CPU s)%n",
          windows.get(0).seconds(), end.cpuTicks() / (double) CLOCK_TICKS);
      for (String r : jcmdReports) {
        System.out.println();
        System.out.println(r);
      }
    } finally {
      if (operator != null) {
        operator.destroy();
        if (!operator.waitFor(30, TimeUnit.SECONDS)) {
          operator.destroyForcibly();
        }
      }
      sim.close();
      if (keep == null) {
        deleteTree(dir);
      }
    }
  }

  private static void create(KubernetesClient client, String name) {
    RedisCluster rc = new RedisCluster();
    rc.getMetadata().setName(name);
    rc.getMetadata().setNamespace(NAMESPACE);
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setShards(3);
    spec.setReplicasPerShard(1);
    spec.setStorage(null);
    rc.setSpec(spec);
    client.resource(rc).create();
  }

  /**
   * Waits until every named cluster is Ready; returns the sample with the highest RSS meanwhile.
   */
  private static Sample awaitReady(
      KubernetesClient client, List<String> names, long pid, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Sample peak = sample(pid);
    while (true) {
      Sample s = sample(pid);
      if (!s.alive()) {
        throw new IllegalStateException("the operator exited");
      }
      if (s.rssKb() > peak.rssKb()) {
        peak = s;
      }
      boolean all = true;
      for (String n : names) {
        RedisCluster rc =
            client.resources(RedisCluster.class).inNamespace(NAMESPACE).withName(n).get();
        if (rc == null || !readyNow(rc)) {
          all = false;
          break;
        }
      }
      if (all) {
        return peak;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not Ready within " + timeout + ": " + names);
      }
      Thread.sleep(100);
    }
  }

  /** Ready for the current generation, nothing in progress, every slot served. */
  static boolean readyNow(RedisCluster rc) {
    RedisClusterStatus s = rc.getStatus();
    if (s == null
        || s.getObservedGeneration() != rc.getMetadata().getGeneration()
        || s.getConditions() == null) {
      return false;
    }
    Map<String, String> conditions = new LinkedHashMap<>();
    s.getConditions().forEach(c -> conditions.put(c.getType(), c.getStatus()));
    return "True".equals(conditions.get(RedisClusterStatus.READY))
        && "False".equals(conditions.get(RedisClusterStatus.PROGRESSING))
        && s.getOperation() == null
        && s.getSlotsAssigned() == 16384;
  }

  /** Samples the process every second for {@code seconds}. */
  private static Window window(String phase, int clusters, long pid, int httpPort, int seconds)
      throws InterruptedException {
    long reconciles = reconciles(httpPort);
    Sample first = sample(pid);
    long max = first.rssKb();
    Sample last = first;
    long end = first.nanos() + TimeUnit.SECONDS.toNanos(seconds);
    while (last.nanos() < end) {
      Thread.sleep(Math.max(1, Math.min(1000, (end - last.nanos()) / 1_000_000)));
      last = sample(pid);
      if (!last.alive()) {
        throw new IllegalStateException("the operator exited");
      }
      max = Math.max(max, last.rssKb());
    }
    return new Window(phase, clusters, first, last, max, reconciles(httpPort) - reconciles);
  }

  /** The operator's reconcile count from its /metrics, or 0 when it cannot be read. */
  static long reconciles(int httpPort) {
    if (httpPort <= 0) {
      return 0;
    }
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().lines().toList()) {
        if (line.startsWith("slotwise_reconcile_seconds_count")) {
          return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  static Sample sample(long pid) {
    long now = System.nanoTime();
    try {
      Map<String, Long> status = new LinkedHashMap<>();
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon);
        String value = line.substring(colon + 1).strip();
        if (key.equals("Threads")) {
          threads = Integer.parseInt(value);
        } else if (value.endsWith(" kB")) {
          status.put(key, Long.parseLong(value.substring(0, value.length() - 3).strip()));
        }
      }
      // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces.
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return new Sample(
          now,
          status.getOrDefault("VmRSS", 0L),
          status.getOrDefault("VmHWM", 0L),
          status.getOrDefault("RssAnon", 0L),
          status.getOrDefault("RssFile", 0L) + status.getOrDefault("RssShmem", 0L),
          cpu,
          threads,
          true);
    } catch (IOException e) {
      return new Sample(now, 0, 0, 0, 0, 0, 0, false);
    }
  }

  /** Heap after a full collection and, when the JVM tracks it, native memory by category. */
  private static String jcmdReport(long pid, String when) throws Exception {
    StringBuilder out = new StringBuilder("== jcmd, " + when + " ==\n");
    for (String command :
        List.of("GC.run", "GC.heap_info", "VM.native_memory summary", "GC.class_histogram")) {
      List<String> argv = new ArrayList<>(List.of("jcmd", String.valueOf(pid)));
      argv.addAll(Arrays.asList(command.split(" ")));
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes());
      p.waitFor(60, TimeUnit.SECONDS);
      if (command.equals("GC.class_histogram")) {
        // the largest classes only
        text = String.join("\n", text.lines().limit(22).toList()) + "\n";
      }
      if (!command.equals("GC.run")) {
        out.append("-- ").append(command).append('\n').append(text);
      }
    }
    out.append(String.format("-- RSS after GC.run: %s MiB%n", mib(sample(pid).rssKb())));
    return out.toString();
  }

  /** Waits for a line of the log that contains {@code text}; returns that line. */
  private static String awaitLine(Process p, Path log, String text, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String content = Files.exists(log) ? Files.readString(log) : "";
      for (String line : content.lines().toList()) {
        if (line.contains(text)) {
          return line;
        }
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the operator did not start ("
                + (p.isAlive() ? "timeout" : "exited")
                + "):\n"
                + content);
      }
      Thread.sleep(50);
    }
  }

  private static String mib(long kb) {
    return String.format("%.1f", kb / 1024.0);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(FootprintBench::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a redis-server may still be writing; the folder is temporary
    }
  }
}
