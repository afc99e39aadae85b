package io.slotwise.cli;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalClusterException;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisServerBinary;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slotwise local <verb>}: clusters of local redis-server processes. */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run a Redis Cluster of local redis-server processes.")
final class LocalCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static Path defaultHome() {
    String env = System.getenv("SLOTWISE_HOME");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".slotwise");
  }

  /** {@code --name} and {@code --dir}, shared by every local verb. */
  static final class Where {
    @Option(
        names = "--name",
        defaultValue = "dev",
        description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--dir",
        description = "Folder that holds local clusters (default: $SLOTWISE_HOME or ~/.slotwise).")
    Path dir;

    Path home() {
      return dir != null ? dir : defaultHome();
    }

    LocalCluster open() {
      return open(line -> {});
    }

    /** Opens the cluster; {@code log} hears what the engine does on it. */
    LocalCluster open(java.util.function.Consumer<String> log) {
      return LocalCluster.open(home(), name, log)
          .orElseThrow(
              () ->
                  new UserError(
                      "no local cluster '"
                          + name
                          + "' under "
                          + home()
                          + " (start one with: slotwise local up --name "
                          + name
                          + ")"));
    }
  }

  abstract static class Verb implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Where where;

    /** The verb itself; engine failures about a setting come back with the flag that sets it. */
    abstract Integer execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
      try {
        return execute();
      } catch (LocalClusterException e) {
        throw new UserError(withFlagHint(e, where.name));
      }
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void say(String line) {
      out().println(line);
      out().flush();
    }
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = "Start a local cluster and keep it healthy until Ctrl-C.")
  static final class Up extends Verb {
    @Option(
        names = "--shards",
        defaultValue = "3",
        description = "Primaries (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(
        names = "--replicas",
        defaultValue = "1",
        description = "Replicas per primary (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(
        names = "--port",
        defaultValue = "7000",
        description =
            "Port of every node, each on its own 127.x.y.z address; 0 picks free ports (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--redis-server",
        paramLabel = "PATH",
        description = "The redis-server binary (default: from PATH).")
    String redisServer;

    @Option(
        names = "--node-timeout",
        defaultValue = "5000",
        paramLabel = "MILLIS",
        description = "cluster-node-timeout (default: ${DEFAULT-VALUE}).")
    int nodeTimeout;

    @Option(
        names = "--password",
        description =
            "Require this password on every node (default: $SLOTWISE_PASSWORD, else none).")
    String password;

    @Option(
        names = "--detach",
        description =
            "Leave the cluster running in the background, with a supervisor that heals it.")
    boolean detach;

    @Override
    Integer execute() throws Exception {
      String pw = AuthOptions.chosen(password, this.spec.commandLine().getErr());
      LocalClusterSpec spec =
          new LocalClusterSpec(
              where.name,
              shards,
              replicas,
              where.home(),
              port,
              RedisServerBinary.require(redisServer),
              nodeTimeout,
              pw == null || pw.isEmpty() ? null : pw,
              true);
      say(
          "starting local cluster '"
              + spec.name()
              + "': "
              + shards
              + " shards x "
              + replicas
              + " replicas ("
              + spec.nodeCount()
              + " nodes)");
      long t0 = System.nanoTime();
      LocalCluster cluster = LocalCluster.up(spec, this::say);
      say(String.format("cluster ready in %.1f s%n", (System.nanoTime() - t0) / 1e9));
      printStatus(out(), cluster);
      if (detach) {
        long pid = Supervise.spawn(spec);
        cluster.recordSupervisor(pid);
        cluster.close();
        say(
            "running in the background (supervisor pid "
                + pid
                + "); stop it with: ./slotwise local down --name "
                + spec.name());
        return 0;
      }
      say("keeping the cluster healthy; Ctrl-C stops every node");
      return Supervise.loop(cluster, out(), true);
    }
  }

  /** The engine's message, plus the flag or command that changes what it is about. */
  static String withFlagHint(LocalClusterException e, String name) {
    String hint =
        switch (e.kind()) {
          case NAME -> " (--name)";
          case SHARDS -> " (--shards)";
          case REPLICAS -> " (--replicas)";
          case PORT -> "; choose another --port";
          case REDIS_SERVER -> " (--redis-server PATH)";
          case ALREADY_RUNNING -> " (slotwise local status --name " + name + ")";
          case BUSY, OTHER -> "";
        };
    return e.getMessage() + hint;
  }

  static void printStatus(PrintWriter out, LocalCluster cluster) {
    ClusterView view = cluster.observe();
    out.print(StatusTable.render(view));
    NodeAddress first = cluster.addresses().get(0);
    String auth = cluster.spec().password() != null ? " -a \"$SLOTWISE_PASSWORD\"" : "";
    String cli = RedisServerBinary.cliCommand(cluster.spec().redisServer());
    out.println("connect: " + cli + " -c -h " + first.host() + " -p " + first.port() + auth);
    out.flush();
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a local cluster.")
  static final class Status extends Verb {
    @Override
    Integer execute() {
      try (LocalCluster c = where.open()) {
        long alive = c.nodes().stream().filter(n -> n.alive()).count();
        say(
            "local cluster '"
                + where.name
                + "': "
                + alive
                + " of "
                + c.nodes().size()
                + " processes running"
                + c.supervisor().map(p -> ", supervisor pid " + p.pid()).orElse(""));
        if (alive == 0) {
          say("stopped; start it again with: slotwise local up --name " + where.name);
          return 1;
        }
        printStatus(out(), c);
        return 0;
      }
    }
  }

  @Command(
      name = "scale",
      mixinStandardHelpOptions = true,
      description = "Add or remove shards (moving data) and replicas of a running local cluster.")
  static final class Scale extends Verb {
    @Option(names = "--shards", required = true, description = "Primaries wanted.")
    int shards;

    @Option(names = "--replicas", description = "Replicas per primary wanted (default: unchanged).")
    Integer replicas;

    @Override
    Integer execute() throws Exception {
      try (LocalCluster c = where.open()) {
        if (c.nodes().stream().noneMatch(n -> n.alive())) {
          throw new UserError(
              "local cluster '"
                  + where.name
                  + "' is not running (slotwise local up --name "
                  + where.name
                  + ")");
        }
        int r = replicas != null ? replicas : c.spec().replicas();
        c.spec().withShards(shards, r); // validates the numbers before anything changes
        say(
            "scaling '"
                + where.name
                + "' from "
                + c.spec().shards()
                + "x"
                + c.spec().replicas()
                + " to "
                + shards
                + "x"
                + r);
        ProgressReporter progress = new ProgressReporter(out(), System.console() != null, 0, 0);
        var outcome =
            c.scale(
                shards, r, io.slotwise.engine.migrate.SlotMigrator.Options.defaults(), progress);
        if (outcome != null && outcome.result() != null) {
          var res = outcome.result();
          say(
              String.format(
                  "moved %d slots, %d keys in %.2f s (%,.0f keys/s)",
                  res.slots(), res.keys(), res.seconds(), res.keysPerSecond()));
        }
        printStatus(out(), c);
      }
      return 0;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = "Stop a local cluster and delete its data.")
  static final class Down extends Verb {
    @Override
    Integer execute() {
      try (LocalCluster c = where.open()) {
        c.supervisor()
            .ifPresent(
                p -> {
                  p.destroy();
                  try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    p.destroyForcibly();
                  }
                });
        c.destroy();
        say(
            "stopped local cluster '"
                + where.name
                + "' ("
                + c.nodes().size()
                + " nodes) and deleted its data");
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List local clusters.")
  static final class ListClusters extends Verb {
    @Override
    Integer execute() {
      for (String n : LocalCluster.list(where.home())) {
        try (LocalCluster c = LocalCluster.open(where.home(), n, l -> {}).orElseThrow()) {
          long alive = c.nodes().stream().filter(x -> x.alive()).count();
          say(n + "  " + alive + "/" + c.nodes().size() + " running  " + c.addresses().get(0));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "supervise",
      hidden = true,
      description = "Keep a running local cluster healthy (used by --detach).")
  static final class Supervise extends Verb {
    @Override
    Integer execute() throws Exception {
      LocalCluster c = where.open(this::say);
      return loop(c, out(), false);
    }

    /** Starts {@code slotwise local supervise} as a background process in its own session. */
    static long spawn(LocalClusterSpec spec) throws IOException {
      String javaBin = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd = new ArrayList<>();
      if (java.nio.file.Files.isExecutable(Path.of("/usr/bin/setsid"))) {
        cmd.add("/usr/bin/setsid");
      }
      cmd.addAll(
          List.of(
              javaBin,
              "-cp",
              System.getProperty("java.class.path"),
              Main.class.getName(),
              "local",
              "supervise",
              "--name",
              spec.name(),
              "--dir",
              spec.home().toString()));
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(
                      spec.clusterDir().resolve("supervisor.log").toFile()))
              .start();
      return p.pid();
    }

    /**
     * Restarts dead nodes and re-introduces lost ones every half second until the process is asked
     * to stop; when {@code stopNodesOnExit}, stops every node then (Ctrl-C in the foreground).
     */
    static int loop(LocalCluster cluster, PrintWriter out, boolean stopNodesOnExit)
        throws InterruptedException {
      java.util.function.Consumer<String> say =
          line -> {
            out.println(line);
            out.flush();
          };
      CountDownLatch stop = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                stop.countDown();
                try {
                  stopped.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                  Thread.currentThread().interrupt();
                }
              },
              "slotwise-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        while (!stop.await(500, TimeUnit.MILLISECONDS)) {
          try {
            List<String> done = cluster.superviseOnce();
            if (!done.isEmpty()) {
              done.forEach(say);
              cluster.awaitHealthy();
              say.accept("cluster healthy again:");
              printStatus(out, cluster);
            }
          } catch (RedisAdminException
              | LocalClusterException
              | io.slotwise.engine.execute.OperationTimeoutException e) {
            say.accept("healing: " + e.getMessage());
          }
        }
      } finally {
        if (stopNodesOnExit) {
          // Data stays: 'local up' resumes this cluster, 'local down' deletes it.
          say.accept(
              "stopping "
                  + cluster.nodes().size()
                  + " nodes (data kept; 'local up' resumes, 'local down' deletes)");
          cluster.stopProcesses();
        }
        cluster.close();
        stopped.countDown();
      }
      return 0;
    }
  }
}
