package io.slotwise.operator.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A whole simulated Kubernetes cluster in one process: the mock API server with the RedisCluster
 * CRD, the pod simulator, and {@code <dir>/kubeconfig} pointing at it. The harness of the
 * operator's end-to-end tests and of {@code slotwise operator --simulate}; whoever uses it starts
 * the operator (with {@link #client()} or the kubeconfig, and {@link #redisPort()}).
 */
public final class Simulation implements AutoCloseable {
  private final SimulatedKubernetes kubernetes;
  private final PodSimulator pods;
  private final Path kubeconfig;

  private Simulation(SimulatedKubernetes kubernetes, PodSimulator pods, Path kubeconfig) {
    this.kubernetes = kubernetes;
    this.pods = pods;
    this.kubeconfig = kubeconfig;
  }

  /** Starts a simulation under {@code dir} with the committed CRD when one is found. */
  public static Simulation start(Path dir) {
    return start(dir, null);
  }

  /** Starts a simulation under {@code dir} with the CRD read from {@code crdFile} (or found). */
  public static Simulation start(Path dir, Path crdFile) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    SimulatedKubernetes k8s = SimulatedKubernetes.withCrd(crdFile);
    try {
      Path kubeconfig = k8s.writeKubeconfig(dir.resolve("kubeconfig"));
      PodSimulator pods = PodSimulator.start(k8s.client(), dir.resolve("cluster"));
      k8s.podLogs(pods::logFile);
      return new Simulation(k8s, pods, kubeconfig);
    } catch (RuntimeException e) {
      k8s.close();
      throw e;
    }
  }

  public SimulatedKubernetes kubernetes() {
    return kubernetes;
  }

  public PodSimulator pods() {
    return pods;
  }

  /** The simulation's own client (not to be closed by callers). */
  public KubernetesClient client() {
    return kubernetes.client();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The port every simulated pod's redis listens on; the operator must connect to it. */
  public int redisPort() {
    return pods.redisPort();
  }

  /** Stops every redis-server, then the API server. */
  @Override
  public void close() {
    try {
      pods.close();
    } finally {
      kubernetes.close();
    }
  }

  /**
   * Runs a simulation under the folder given as the only argument (default {@code
   * ./slotwise-simulation}) until the process is stopped; prints the kubeconfig path and the redis
   * port.
   */
  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args.length > 0 ? args[0] : "slotwise-simulation").toAbsolutePath();
    Simulation sim = start(dir, args.length > 1 ? Path.of(args[1]) : null);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  stopped.countDown();
                },
                "simulation-shutdown"));
    System.out.println("kubeconfig: " + sim.kubeconfig());
    System.out.println("API server: " + sim.kubernetes().kubectlUrl());
    System.out.println("redis port: " + sim.redisPort());
    System.out.println(
        "CRD: "
            + (sim.client()
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .list()
                    .getItems()
                    .isEmpty()
                ? "none found (" + SimulatedKubernetes.CRD_FILE + ")"
                : "created"));
    stopped.await();
  }
}
