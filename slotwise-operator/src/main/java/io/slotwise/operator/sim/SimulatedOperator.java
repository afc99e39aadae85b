package io.slotwise.operator.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.slotwise.operator.OperatorConfig;
import io.slotwise.operator.SlotwiseOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code slotwise operator --simulate} as an object: a {@link Simulation} (mock API server with the
 * CRD, pod simulator, kubeconfig) and the operator reconciling against it, in one process. The
 * operator gets a client of the simulation's own and the simulation's Redis port; there is no
 * leader election (one operator, nothing to share the cluster with).
 */
public final class SimulatedOperator implements AutoCloseable {
  private final Simulation simulation;
  private final KubernetesClient operatorClient;
  private final SlotwiseOperator operator;
  private final int httpPort;

  private SimulatedOperator(
      Simulation simulation,
      KubernetesClient operatorClient,
      SlotwiseOperator operator,
      int httpPort) {
    this.simulation = simulation;
    this.operatorClient = operatorClient;
    this.operator = operator;
    this.httpPort = httpPort;
  }

  /**
   * Starts the simulation under {@code dir} and the operator on it.
   *
   * @param config the operator's settings; its Redis port is replaced by the simulation's
   * @param httpHost where the health and metrics endpoint listens
   * @param httpPort its port, 0 for any free one
   */
  public static SimulatedOperator start(
      Path dir, OperatorConfig config, String httpHost, int httpPort) {
    Simulation sim = Simulation.start(dir);
    KubernetesClient client = null;
    SlotwiseOperator operator = null;
    try {
      client = sim.kubernetes().newClient();
      operator = new SlotwiseOperator(client, config.withRedisPort(sim.redisPort()), null);
      int port = operator.serveHttp(httpHost, httpPort);
      operator.start();
      return new SimulatedOperator(sim, client, operator, port);
    } catch (IOException | RuntimeException e) {
      closeQuietly(operator, client, sim, e);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot serve the operator's HTTP endpoint", io);
      }
      throw (RuntimeException) e;
    }
  }

  /** As {@link #start(Path, OperatorConfig, String, int)}: every namespace, loopback, any port. */
  public static SimulatedOperator start(Path dir) {
    return start(dir, OperatorConfig.defaults().withNamespaces(Set.of()), "127.0.0.1", 0);
  }

  private static void closeQuietly(
      SlotwiseOperator operator, KubernetesClient client, Simulation sim, Exception cause) {
    for (AutoCloseable c : new AutoCloseable[] {operator, client, sim}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }

  public Simulation simulation() {
    return simulation;
  }

  public Path kubeconfig() {
    return simulation.kubeconfig();
  }

  public String apiServerUrl() {
    return simulation.kubernetes().kubectlUrl();
  }

  public int redisPort() {
    return simulation.redisPort();
  }

  /** The port of the operator's /healthz, /readyz and /metrics. */
  public int httpPort() {
    return httpPort;
  }

  /** Stops the operator, then every redis-server, then the API server. */
  @Override
  public void close() {
    try {
      operator.close();
    } finally {
      try {
        operatorClient.close();
      } finally {
        simulation.close();
      }
    }
  }
}
