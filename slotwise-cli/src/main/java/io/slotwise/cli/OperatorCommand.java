package io.slotwise.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.slotwise.operator.OperatorConfig;
import io.slotwise.operator.SlotwiseOperator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slotwise operator}: runs the Kubernetes operator against the current kubeconfig. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Slotwise operator: reconciles RedisCluster resources in the current kubeconfig's"
          + " cluster (or in the pod's service account when run inside Kubernetes)."
    })
final class OperatorCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
    KubernetesClient client = new KubernetesClientBuilder().build();
    SlotwiseOperator.LeaderElection le =
        leaderElection ? new SlotwiseOperator.LeaderElection(leaseName, leaseNamespace) : null;
    CountDownLatch stopped = new CountDownLatch(1);
    try (SlotwiseOperator operator = new SlotwiseOperator(client, config, le)) {
      int port = operator.serveHttp(httpHost, httpPort);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "slotwise-shutdown"));
      operator.start();
      spec.commandLine()
          .getOut()
          .println(
              "slotwise operator watching "
                  + (ns.isEmpty() ? "all namespaces" : String.join(", ", ns))
                  + "; health, readiness and metrics on port "
                  + port);
      spec.commandLine().getOut().flush();
      stopped.await();
    } finally {
      client.close();
    }
    return 0;
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
