package io.slotwise.operator.sim;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kubernetes API server for tests and for {@code slotwise operator --simulate}: fabric8's {@link
 * KubernetesMockServer} in CRUD mode on a free loopback port, with the RedisCluster CRD created in
 * it and legacy discovery served so that {@code kubectl} can talk to it. It is only a store: no
 * controllers, no admission, no garbage collection (the {@link PodSimulator} plays the controllers
 * the operator relies on). What the store does and does not do is pinned by {@code
 * SimulatedKubernetesTest}.
 */
public final class SimulatedKubernetes implements AutoCloseable {
  /** Where the API helper commits the generated CRD, relative to the repository root. */
  public static final Path CRD_FILE = Path.of("deploy", "crds", "redisclusters.slotwise.io-v1.yml");

  private final KubernetesMockServer server;
  private final KubernetesCrudDispatcher store;
  private final KubectlFront front;
  private final KubernetesClient client;
  private final Set<ApiCall> calls;

  private SimulatedKubernetes(
      KubernetesMockServer server,
      KubernetesCrudDispatcher store,
      KubectlFront front,
      Set<ApiCall> calls) {
    this.server = server;
    this.store = store;
    this.front = front;
    this.calls = calls;
    this.client = newClient();
  }

  /** Held so the setting survives: the mock logs every request at INFO through JUL otherwise. */
  private static final java.util.logging.Logger MOCK_LOG = quietMockLog();

  private static java.util.logging.Logger quietMockLog() {
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(MockWebServer.class.getName());
    log.setLevel(java.util.logging.Level.WARNING);
    return log;
  }

  /** Starts an empty API server (no CRD) on a free loopback port. */
  public static SimulatedKubernetes start() {
    MOCK_LOG.fine("starting a simulated API server");
    KubernetesCrudDispatcher store = new KubernetesCrudDispatcher(List.of());
    Set<ApiCall> calls = ConcurrentHashMap.newKeySet();
    DiscoveryDispatcher dispatcher = new DiscoveryDispatcher(store, calls::add);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            dispatcher,
            false);
    server.start(InetAddress.getLoopbackAddress(), 0);
    KubectlFront front = null;
    try {
      front = KubectlFront.start(dispatcher);
      return new SimulatedKubernetes(server, store, front, calls);
    } catch (RuntimeException e) {
      if (front != null) {
        front.close();
      }
      server.shutdown();
      throw e;
    }
  }

  /**
   * Starts an API server with the RedisCluster CRD: {@code crdFile} when given, else the committed
   * {@link #CRD_FILE} found from the working directory upwards, else none.
   */
  public static SimulatedKubernetes withCrd(Path crdFile) {
    SimulatedKubernetes k8s = start();
    try {
      Optional<Path> file = Optional.ofNullable(crdFile).or(SimulatedKubernetes::committedCrd);
      file.ifPresent(k8s::createCrd);
      return k8s;
    } catch (RuntimeException e) {
      k8s.close();
      throw e;
    }
  }

  /** The committed CRD file, looked up from the working directory towards the root. */
  public static Optional<Path> committedCrd() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(CRD_FILE);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Creates the CRD read from a YAML file in the store. */
  public CustomResourceDefinition createCrd(Path yaml) {
    try (InputStream in = Files.newInputStream(yaml)) {
      return createCrd(Serialization.unmarshal(in, CustomResourceDefinition.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CRD " + yaml, e);
    }
  }

  public CustomResourceDefinition createCrd(CustomResourceDefinition crd) {
    return client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** A client of the simulation's own; the caller need not close it (close() does not either). */
  public KubernetesClient client() {
    return client;
  }

  /** A new client (for example one per operator instance); the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(clientConfig()).build();
  }

  /**
   * A new client that sends {@code userAgent}, so that its requests can be told apart in {@link
   * #apiCalls()}; the caller closes it.
   */
  public KubernetesClient newClient(String userAgent) {
    Config config = clientConfig();
    config.setUserAgent(userAgent);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Every distinct (user agent, verb, group, resource) requested so far: the evidence of which
   * permissions a client needs. A set, so it stays small however long the server runs.
   */
  public Set<ApiCall> apiCalls() {
    return Set.copyOf(calls);
  }

  /** Client configuration for this server, independent of any kubeconfig on the machine. */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace("default")
        .withHttp2Disable(true)
        .withRequestRetryBackoffLimit(3)
        .build();
  }

  /** Where {@code kubectl logs} finds a pod's log (namespace, pod); the pod simulator knows. */
  public void podLogs(java.util.function.BiFunction<String, String, Optional<Path>> logs) {
    front.podLogs(logs);
  }

  /** The store's own address (WebSocket watches, as fabric8 and JOSDK make them). */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /**
   * The address in the kubeconfig: the store behind a front that also serves what kubectl needs
   * (Table responses, HTTP-stream watches, OpenAPI v3); see {@link KubectlFront}. It has no
   * WebSocket, so fabric8 watches need {@link #url()}.
   */
  public String kubectlUrl() {
    return front.url();
  }

  public int port() {
    return server.getPort();
  }

  /** The underlying mock server, for expectations a test adds on top of the store. */
  public KubernetesMockServer server() {
    return server;
  }

  KubernetesCrudDispatcher store() {
    return store;
  }

  /**
   * Writes a kubeconfig (0600) whose current context points at this server's {@link #kubectlUrl()},
   * namespace {@code default}, no credentials.
   */
  public Path writeKubeconfig(Path file) {
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: slotwise-simulated",
            "  cluster:",
            "    server: " + kubectlUrl(),
            "users:",
            "- name: slotwise-simulated",
            "  user: {}",
            "contexts:",
            "- name: slotwise-simulated",
            "  context:",
            "    cluster: slotwise-simulated",
            "    user: slotwise-simulated",
            "    namespace: default",
            "current-context: slotwise-simulated",
            "");
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      file.toFile().setReadable(false, false);
      file.toFile().setReadable(true, true);
      file.toFile().setWritable(false, false);
      file.toFile().setWritable(true, true);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      try {
        front.close();
      } finally {
        server.shutdown();
      }
    }
  }
}
