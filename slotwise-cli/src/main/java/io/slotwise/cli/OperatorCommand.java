package io.slotwise.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.slotwise.operator.OperatorConfig;
import io.slotwise.operator.SlotwiseOperator;
import io.slotwise.operator.sim.SimulatedOperator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slotwise operator}: runs the Kubernetes operator against the current kubeconfig. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Slotwise operator: reconciles RedisCluster resources in the current kubeconfig's"
          + " cluster (or in the pod's service account when run inside Kubernetes).",
      "With --simulate, runs a simulated Kubernetes instead (a mock API server, one real"
          + " redis-server per pod) and the operator on it, writes a kubeconfig for kubectl, and"
          + " runs until Ctrl-C, which stops every redis-server."
    })
final class OperatorCommand implements Callable<Integer> {
  /** Where --simulate keeps its kubeconfig and pod data unless --dir says otherwise. */
  static final Path DEFAULT_SIMULATION_DIR =
      Path.of(System.getProperty("java.io.tmpdir"), "slotwise-simulation");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--simulate",
      description =
          "Run a simulated Kubernetes (mock API server and pod simulator) and the operator on it,"
              + " in this process; no cluster needed.")
  boolean simulate;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "With --simulate: the folder of the kubeconfig and the pods' data (default"
              + " $TMPDIR/slotwise-simulation).")
  Path dir;

  @Option(
      names = {"-n", "--namespace"},
      split = ",",
      paramLabel = "NS",
      description =
          "Namespace to watch; repeat or separate with commas for several; 'all' (the default)"
              + " for every namespace.")
  List<String> namespaces = List.of();

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "Port of /healthz, /readyz and /metrics (default ${DEFAULT-VALUE}; 0 for any).")
  int httpPort;

  @Option(
      names = "--http-host",
      defaultValue = "0.0.0.0",
      description = "Address the HTTP endpoint listens on (default ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(
      names = "--leader-election",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Take a Lease before reconciling, so that only one replica acts (default on).")
  boolean leaderElection;

  @Option(
      names = "--lease-name",
      defaultValue = "slotwise-operator",
      description = "Name of the Lease (default ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(
      names = "--lease-namespace",
      description = "Namespace of the Lease (default: the operator's own namespace).")
  String leaseNamespace;

  @Option(
      names = "--redis-port",
      defaultValue = "6379",
      description = "Port of Redis in the pods (default ${DEFAULT-VALUE}).")
  int redisPort;

  @Option(
      names = "--threads",
      defaultValue = "4",
      description = "RedisClusters reconciled at once (default ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    checkOptions(spec);
    Set<String> ns = namespaces(namespaces);
    OperatorConfig config = OperatorConfig.defaults().withNamespaces(ns).withRedisPort(redisPort);
    config =
        new OperatorConfig(
            config.namespaces(),
            config.redisPort(),
            threads,
            config.podReadyTimeout(),
            config.maxSlotsPerStep(),
            config.requeue(),
            config.resync());
    if (simulate) {
      return simulate(config);
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    SlotwiseOperator.LeaderElection le =
        leaderElection ? new SlotwiseOperator.LeaderElection(leaseName, leaseNamespace) : null;
    Shutdown shutdown = Shutdown.install();
    try (SlotwiseOperator operator = new SlotwiseOperator(client, config, le)) {
      int port = operator.serveHttp(httpHost, httpPort);
      operator.start();
      spec.commandLine()
          .getOut()
          .println(
              "slotwise operator watching "
                  + (ns.isEmpty() ? "all namespaces" : String.join(", ", ns))
                  + "; health, readiness and metrics on port "
                  + port);
      spec.commandLine().getOut().flush();
      shutdown.awaitSignal();
    } finally {
      try {
        client.close();
      } finally {
        shutdown.done();
      }
    }
    return 0;
  }

  /**
   * Options that only make sense together: a usage error (exit code 2), checked before any work.
   */
  static void checkOptions(CommandLine.Model.CommandSpec spec) {
    OperatorCommand c = (OperatorCommand) spec.userObject();
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (!c.simulate && c.dir != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--dir is an option of --simulate: add --simulate");
    }
    if (c.simulate) {
      for (String only : List.of("--leader-election", "--lease-name", "--lease-namespace")) {
        if (parsed != null && parsed.hasMatchedOption(only)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              only + " has no use with --simulate (one operator, no leader election)");
        }
      }
      if (parsed != null && parsed.hasMatchedOption("--redis-port")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--redis-port has no use with --simulate (the simulation picks a free port)");
      }
    }
  }

  Path simulationDir() {
    return (dir == null ? DEFAULT_SIMULATION_DIR : dir).toAbsolutePath().normalize();
  }

  private int simulate(OperatorConfig config) throws InterruptedException {
    Path where = simulationDir();
    Optional<String> running = SimulateApplyCommand.runningServer(where);
    if (running.isPresent()) {
      throw new UserError(
          "a simulation already runs in "
              + where
              + " (API server "
              + running.get()
              + "): stop it, or pick another folder with --dir");
    }
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    boolean portGiven = parsed != null && parsed.hasMatchedOption("--http-port");
    boolean hostGiven = parsed != null && parsed.hasMatchedOption("--http-host");
    PrintWriter out = spec.commandLine().getOut();
    Shutdown shutdown = Shutdown.install();
    try (SimulatedOperator sim =
        SimulatedOperator.start(
            where, config, hostGiven ? httpHost : "127.0.0.1", portGiven ? httpPort : 0)) {
      for (String line : simulationHelp(sim, where, dir != null)) {
        out.println(line);
      }
      out.flush();
      shutdown.awaitSignal();
      out.println("slotwise: stopping the simulation (operator, every redis-server, API server)");
      out.flush();
    } finally {
      shutdown.done();
    }
    out.println("slotwise: simulation stopped");
    out.flush();
    return 0;
  }

  /** What --simulate prints once it runs: where the kubeconfig is and how to use it. */
  static List<String> simulationHelp(SimulatedOperator sim, Path where, boolean dirGiven) {
    String kubeconfig = sim.kubeconfig().toString();
    String dirOption = dirGiven ? " --dir " + where : "";
    return List.of(
        "slotwise simulation running: API server "
            + sim.apiServerUrl()
            + ", every pod's redis on port "
            + sim.redisPort()
            + ", operator health and metrics on port "
            + sim.httpPort()
            + "; Ctrl-C stops it (and every redis-server)",
        "kubeconfig: " + kubeconfig,
        "  use it:        export KUBECONFIG=" + kubeconfig,
        "  create:        kubectl apply -f examples/minimal.yaml",
        "  watch:         kubectl get rc -w",
        "  pods and IPs:  kubectl get pods -o wide",
        "  details:       kubectl describe rc minimal",
        "  connect:       REDISCLI_AUTH=\"$(kubectl get secret minimal-auth -o"
            + " jsonpath='{.data.password}' | base64 -d)\" redis-cli -c -h POD_IP -p "
            + sim.redisPort(),
        "  without kubectl: slotwise operator --simulate"
            + dirOption
            + " apply examples/minimal.yaml");
  }

  /** Namespaces from repeated or comma-separated options; empty (all) for none or "all". */
  static Set<String> namespaces(List<String> given) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : given) {
      String t = n.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.equals("all") || t.equals("*")) {
        return Set.of();
      }
      if (!t.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        throw new UserError("'" + t + "' is not a namespace name (lowercase letters, digits, '-')");
      }
      out.add(t);
    }
    return out;
  }
}
