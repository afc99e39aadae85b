package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.RedisClusterStatus;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.operator.OperatorConfig;
import io.slotwise.operator.SlotwiseOperator;
import io.slotwise.operator.model.Labels;
import io.slotwise.operator.sim.Simulation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One simulated Kubernetes (mock API server, pod simulator with real redis-server processes) and
 * one Slotwise operator against it, as the end-to-end tests use them; the operator can be stopped
 * and started again mid-operation.
 */
public final class OperatorHarness implements AutoCloseable {
  /** How long an end-to-end wait may take on a loaded 2-core machine. */
  public static final Duration LONG = Duration.ofMinutes(4);

  /**
   * The operator's client sends this User-Agent, so that its API calls are told apart from the pod
   * simulator's and the tests' (which share the simulation's own client).
   */
  public static final String OPERATOR_USER_AGENT = "slotwise-operator-e2e";

  private final Path dir;
  private final Simulation sim;
  private final OperatorConfig config;
  private SlotwiseOperator operator;
  private KubernetesClient operatorClient;
  private SlotwiseOperator.LeaderElection leaderElection;

  private OperatorHarness(Path dir, Simulation sim, OperatorConfig config) {
    this.dir = dir;
    this.sim = sim;
    this.config = config;
  }

  /** Starts the simulation under {@code dir} and an operator watching every namespace. */
  public static OperatorHarness start(Path dir) {
    return start(dir, 512);
  }

  /** As {@link #start(Path)}, moving at most {@code maxSlotsPerStep} slots per reconcile. */
  public static OperatorHarness start(Path dir, int maxSlotsPerStep) {
    return startWithConfig(dir, c -> c.withMaxSlotsPerStep(maxSlotsPerStep));
  }

  /**
   * As {@link #start(Path)}, with the operator's settings changed by {@code configure} (for example
   * a short pod-ready timeout); the Redis port is the simulation's whatever it does.
   */
  public static OperatorHarness startWithConfig(
      Path dir, java.util.function.UnaryOperator<OperatorConfig> configure) {
    // The committed CRD (deploy/crds) is created by the simulation itself.
    Simulation sim = Simulation.start(dir);
    OperatorConfig config =
        configure
            .apply(
                OperatorConfig.defaults()
                    .withPodReadyTimeout(Duration.ofSeconds(60))
                    .withMaxSlotsPerStep(512)
                    .withRequeue(Duration.ofMillis(500)))
            .withRedisPort(sim.redisPort());
    OperatorHarness h = new OperatorHarness(dir, sim, config);
    h.startOperator();
    return h;
  }

  public void startOperator() {
    operatorClient = sim.kubernetes().newClient(OPERATOR_USER_AGENT);
    operator = new SlotwiseOperator(operatorClient, config, leaderElection).start();
  }

  /** Starts the operator with leader election through the Lease {@code ns/name}. */
  public void startOperatorWithLeaderElection(String ns, String name) {
    leaderElection = new SlotwiseOperator.LeaderElection(name, ns, false);
    startOperator();
  }

  public void stopOperator() {
    if (operator != null) {
      try {
        operator.close();
      } finally {
        operator = null;
        operatorClient.close();
        operatorClient = null;
      }
    }
  }

  /** Every distinct API call the operator (any of its instances) has made so far. */
  public java.util.Set<io.slotwise.operator.sim.ApiCall> operatorCalls() {
    return sim.kubernetes().apiCalls().stream()
        .filter(c -> c.userAgent().equals(OPERATOR_USER_AGENT))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** The operator's Prometheus scrape, as {@code /metrics} serves it. */
  public String metrics() {
    return operator.registry().scrape();
  }

  /** The value of a metric line that starts with {@code name} (0 when absent). */
  public double metric(String name) {
    return metrics()
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** The Events of a namespace. */
  public List<io.fabric8.kubernetes.api.model.Event> events(String ns) {
    return client().v1().events().inNamespace(ns).list().getItems();
  }

  public KubernetesClient client() {
    return sim.client();
  }

  public Simulation simulation() {
    return sim;
  }

  public RedisCluster create(
      String ns, String name, java.util.function.Consumer<RedisClusterSpec> spec) {
    RedisCluster rc = new RedisCluster();
    rc.getMetadata().setName(name);
    rc.getMetadata().setNamespace(ns);
    RedisClusterSpec s = new RedisClusterSpec();
    s.setStorage(null);
    spec.accept(s);
    rc.setSpec(s);
    return client().resource(rc).create();
  }

  public RedisCluster get(String ns, String name) {
    return client().resources(RedisCluster.class).inNamespace(ns).withName(name).get();
  }

  /** Changes the spec (a new generation) and returns the resource as stored. */
  public RedisCluster edit(
      String ns, String name, java.util.function.Consumer<RedisClusterSpec> spec) {
    return client()
        .resources(RedisCluster.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            rc -> {
              spec.accept(rc.getSpec());
              return rc;
            });
  }

  /** Waits until the resource's status satisfies {@code condition}; returns that resource. */
  public RedisCluster awaitStatus(
      String ns, String name, String what, Predicate<RedisCluster> condition) {
    RedisCluster[] seen = new RedisCluster[1];
    try {
      await(what)
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                seen[0] = get(ns, name);
                return seen[0] != null && condition.test(seen[0]);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          e.getMessage()
              + "; last status: "
              + (seen[0] == null ? "none" : seen[0].getStatus())
              + "\n"
              + operatorThreads(),
          e);
    }
    return seen[0];
  }

  /**
   * The stacks of the threads running our code (a reconcile that never returns shows where it
   * waits), for a wait that timed out.
   */
  static String operatorThreads() {
    StringBuilder b = new StringBuilder("threads in io.slotwise code:");
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              boolean ours =
                  java.util.Arrays.stream(stack)
                      .anyMatch(
                          f ->
                              f.getClassName().startsWith("io.slotwise.")
                                  && !f.getClassName().contains(".e2e."));
              if (ours) {
                b.append("\n\"").append(t.getName()).append("\" ").append(t.getState());
                for (StackTraceElement f : stack) {
                  b.append("\n    at ").append(f);
                }
              }
            });
    return b.toString();
  }

  /** Waits until Ready is True for the current generation with every slot served. */
  public RedisCluster awaitReady(String ns, String name) {
    return awaitStatus(ns, name, name + " Ready", OperatorHarness::readyNow);
  }

  public static boolean readyNow(RedisCluster rc) {
    RedisClusterStatus s = rc.getStatus();
    if (s == null || s.getObservedGeneration() != rc.getMetadata().getGeneration()) {
      return false;
    }
    return condition(rc, RedisClusterStatus.READY, "True")
        && condition(rc, RedisClusterStatus.PROGRESSING, "False")
        && s.getOperation() == null
        && s.getSlotsAssigned() == 16384;
  }

  public static boolean condition(RedisCluster rc, String type, String value) {
    return rc.getStatus() != null
        && rc.getStatus().getConditions() != null
        && rc.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals(type) && value.equals(c.getStatus()));
  }

  public static String reason(RedisCluster rc, String type) {
    return rc.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getReason())
        .findFirst()
        .orElse(null);
  }

  public List<Pod> pods(String ns, String name) {
    return client().pods().inNamespace(ns).withLabels(Labels.pods(name)).list().getItems();
  }

  /** The cluster's password, read from its Secret. */
  public String password(String ns, String name) {
    Secret s = client().secrets().inNamespace(ns).withName(name + "-auth").get();
    assertThat(s).as("Secret " + name + "-auth").isNotNull();
    return new String(
        Base64.getDecoder().decode(s.getData().get("password")), StandardCharsets.UTF_8);
  }

  /** The address of a Ready pod of the cluster. */
  public NodeAddress seed(String ns, String name) {
    for (Pod p : pods(ns, name)) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        return new NodeAddress(p.getStatus().getPodIP(), sim.redisPort());
      }
    }
    throw new AssertionError("no pod of " + name + " has an address");
  }

  /** The node ids each running pod of the cluster knows (its CLUSTER NODES), one list per pod. */
  public List<List<String>> clusterNodeIds(String ns, String name) {
    return onEveryNode(
        ns,
        name,
        conn ->
            conn.sync()
                .clusterNodes()
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> l.split(" ")[0])
                .toList());
  }

  /** The value of a directive on each running pod of the cluster (CONFIG GET). */
  public List<String> configOnEveryNode(String ns, String name, String directive) {
    return onEveryNode(ns, name, conn -> conn.sync().configGet(directive).get(directive));
  }

  /** Asks each running pod of the cluster, with the cluster's password. */
  public <T> List<T> onEveryNode(
      String ns,
      String name,
      java.util.function.Function<io.lettuce.core.api.StatefulRedisConnection<String, String>, T>
          ask) {
    String password = password(ns, name);
    List<T> out = new ArrayList<>();
    for (Pod p : pods(ns, name)) {
      if (p.getStatus() == null || p.getStatus().getPodIP() == null) {
        continue;
      }
      io.lettuce.core.RedisClient c =
          io.lettuce.core.RedisClient.create(
              RedisURI.builder()
                  .withHost(p.getStatus().getPodIP())
                  .withPort(sim.redisPort())
                  .withPassword(password.toCharArray())
                  .withTimeout(Duration.ofSeconds(10))
                  .build());
      try (var conn = c.connect()) {
        out.add(ask.apply(conn));
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    return out;
  }

  /** A cluster client load on the cluster, authenticated with its password. */
  public ClientLoad load(String ns, String name) {
    return new ClientLoad(seed(ns, name), "load", password(ns, name));
  }

  /**
   * Stops the load and asserts it saw no failed request beyond those allowed, no wrong read, and
   * that a fresh client reads back every acknowledged write.
   */
  public void verify(ClientLoad load, String ns, String name, boolean allowFailures) {
    load.stop();
    assertThat(load.requests()).as("requests made").isGreaterThan(100);
    if (!allowFailures) {
      assertThat(load.failures()).as("failed requests").isEmpty();
    }
    assertThat(load.wrongReads()).as("wrong reads").isEmpty();
    Map<String, String> acked = load.acknowledged();
    List<String> missing = new ArrayList<>();
    RedisClusterClient c =
        RedisClusterClient.create(
            RedisURI.builder()
                .withHost(seed(ns, name).host())
                .withPort(sim.redisPort())
                .withPassword(password(ns, name).toCharArray())
                .withTimeout(Duration.ofSeconds(10))
                .build());
    try (StatefulRedisClusterConnection<String, String> conn = c.connect()) {
      var sync = conn.sync();
      for (var e : acked.entrySet()) {
        String got = sync.get(e.getKey());
        if (!load.wroteLast(e.getKey(), got)) {
          missing.add(e.getKey() + " expected " + e.getValue() + " got " + got);
        }
      }
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    assertThat(missing).as("acknowledged writes not read back (of " + acked.size() + ")").isEmpty();
    load.close();
  }

  public int redisPort() {
    return sim.redisPort();
  }

  /** The lines of {@code CLUSTER NODES} as the named pod's own redis-server answers. */
  public List<String> clusterNodes(String ns, String name, String pod) {
    Pod p = client().pods().inNamespace(ns).withName(pod).get();
    assertThat(p).as("pod " + pod).isNotNull();
    assertThat(p.getStatus().getPodIP()).as("IP of pod " + pod).isNotNull();
    RedisClient c =
        RedisClient.create(
            RedisURI.builder()
                .withHost(p.getStatus().getPodIP())
                .withPort(sim.redisPort())
                .withPassword(password(ns, name).toCharArray())
                .withTimeout(Duration.ofSeconds(10))
                .build());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().clusterNodes().lines().filter(l -> !l.isBlank()).toList();
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    try {
      stopOperator();
      OperatorApiCalls.add(operatorCalls());
      sim.close();
      assertThat(Leftovers.under(dir)).as("processes left behind").isEmpty();
    } finally {
      Leftovers.kill(dir);
    }
  }
}
