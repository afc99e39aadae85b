package io.slotwise.engine.local;

import io.slotwise.engine.execute.ClusterCreator;
import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.ShardLayout;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A Redis Cluster of local {@code redis-server} processes, each on its own loopback address ({@code
 * 127.B.0.N}) so that nodes look like pods with their own IPs. The cluster's folder holds one data
 * directory per node and {@code cluster.properties}, which lets another Slotwise process find,
 * inspect and stop it.
 */
public final class LocalCluster implements AutoCloseable {
  static final String STATE_FILE = "cluster.properties";

  private volatile LocalClusterSpec spec;
  private final int block;
  private final List<RedisProcess> nodes;
  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Consumer<String> log;

  private LocalCluster(
      LocalClusterSpec spec, int block, List<RedisProcess> nodes, Consumer<String> log) {
    this.spec = spec;
    this.block = block;
    this.nodes = new ArrayList<>(nodes);
    this.admin = new RedisAdmin(Credentials.password(spec.password()));
    this.observer = new ClusterObserver(admin);
    this.log = log;
  }

  public LocalClusterSpec spec() {
    return spec;
  }

  public List<RedisProcess> nodes() {
    return List.copyOf(nodes);
  }

  public List<NodeAddress> addresses() {
    return nodes.stream().map(RedisProcess::address).toList();
  }

  public RedisAdmin admin() {
    return admin;
  }

  public ClusterObserver observer() {
    return observer;
  }

  public ClusterView observe() {
    return observer.observe(addresses());
  }

  /**
   * Starts the cluster the spec describes: a new one, or one whose folder exists but whose
   * processes are gone (their data and node ids are kept). Checks everything that can be checked
   * before starting anything; on failure stops whatever it started.
   */
  public static LocalCluster up(LocalClusterSpec spec, Consumer<String> log) {
    Path dir = spec.clusterDir();
    Optional<LocalCluster> existing = open(spec.home(), spec.name(), log);
    if (existing.isPresent()) {
      LocalCluster c = existing.get();
      if (c.nodes.stream().anyMatch(RedisProcess::alive)) {
        c.close();
        throw new LocalClusterException(
            "local cluster '"
                + spec.name()
                + "' is already running (slotwise local status --name "
                + spec.name()
                + ")");
      }
      log.accept("resuming local cluster '" + spec.name() + "' from " + dir);
      try {
        c.startProcesses();
        c.awaitHealthy();
        return c;
      } catch (RuntimeException e) {
        c.stopProcesses();
        c.close();
        throw e;
      }
    }
    requireServer(spec.redisServer());
    int block = chooseBlock(spec.home(), spec.name());
    List<RedisProcess> procs = new ArrayList<>();
    for (int i = 0; i < spec.nodeCount(); i++) {
      procs.add(allocate(spec, block, i));
    }
    LocalCluster c = new LocalCluster(spec, block, procs, log);
    try {
      c.saveState();
      for (RedisProcess p : procs) {
        p.writeConfig(spec);
      }
      c.startProcesses();
      ClusterCreator creator = new ClusterCreator(c.admin, c.observer, Waiter.standard(), log);
      List<ShardLayout> layout = creator.plan(c.addresses(), spec.replicas(), a -> a.host());
      creator.create(layout);
      return c;
    } catch (IOException e) {
      c.destroy();
      throw new LocalClusterException("cannot write " + dir + ": " + e.getMessage());
    } catch (RuntimeException e) {
      c.destroy();
      throw e;
    }
  }

  /**
   * Records a new cluster that has no nodes yet, for a caller that starts them one by one ({@link
   * #startNewNode}) and forms the cluster itself, such as the convergence step.
   */
  public static LocalCluster empty(LocalClusterSpec spec, Consumer<String> log) {
    requireServer(spec.redisServer());
    if (readState(spec.home(), spec.name()).isPresent()) {
      throw new LocalClusterException("local cluster '" + spec.name() + "' already exists");
    }
    LocalCluster c = new LocalCluster(spec, chooseBlock(spec.home(), spec.name()), List.of(), log);
    try {
      c.saveState();
    } catch (IOException e) {
      c.close();
      throw new LocalClusterException("cannot write " + spec.clusterDir() + ": " + e.getMessage());
    }
    return c;
  }

  /** The cluster recorded under {@code home/name}, if any, whether its processes run or not. */
  public static Optional<LocalCluster> open(Path home, String name, Consumer<String> log) {
    return readState(home, name)
        .map(st -> new LocalCluster(st.spec(), st.block(), st.nodes(), log));
  }

  private record State(LocalClusterSpec spec, int block, List<RedisProcess> nodes) {}

  private static Optional<State> readState(Path home, String name) {
    Path state = home.resolve(name).resolve(STATE_FILE);
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new LocalClusterException("cannot read " + state + ": " + e.getMessage());
    }
    LocalClusterSpec spec =
        new LocalClusterSpec(
            name,
            Integer.parseInt(p.getProperty("shards")),
            Integer.parseInt(p.getProperty("replicas")),
            home,
            Integer.parseInt(p.getProperty("port")),
            p.getProperty("redisServer"),
            Integer.parseInt(p.getProperty("nodeTimeoutMillis")),
            p.getProperty("password"),
            Boolean.parseBoolean(p.getProperty("appendOnly")));
    int count = Integer.parseInt(p.getProperty("nodes"));
    List<RedisProcess> procs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = "node." + i;
      int index = Integer.parseInt(p.getProperty(key + ".index", Integer.toString(i)));
      procs.add(
          new RedisProcess(
              index,
              NodeAddress.parse(p.getProperty(key + ".address")),
              Integer.parseInt(p.getProperty(key + ".bus")),
              home.resolve(name).resolve("node-" + index)));
    }
    return Optional.of(new State(spec, Integer.parseInt(p.getProperty("block")), procs));
  }

  /** Re-reads the node list from the cluster's folder: another process may have scaled it. */
  public synchronized void reload() {
    readState(spec.home(), spec.name())
        .ifPresent(
            st -> {
              nodes.clear();
              nodes.addAll(st.nodes());
              spec = st.spec();
            });
  }

  /** Names of the clusters recorded under home. */
  public static List<String> list(Path home) {
    if (!Files.isDirectory(home)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(home)) {
      return s.filter(d -> Files.exists(d.resolve(STATE_FILE)))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void requireServer(String redisServer) {
    Path p = Path.of(redisServer);
    if (!Files.isExecutable(p)) {
      throw new LocalClusterException(
          "redis-server not found at "
              + redisServer
              + " (Debian/Ubuntu: apt-get install redis-server; or pass --redis-server PATH)");
    }
  }

  /** A loopback block 127.B.*.* for this cluster that no other recorded cluster uses. */
  private static int chooseBlock(Path home, String name) {
    Set<Integer> used = new HashSet<>();
    for (String other : list(home)) {
      try (Reader r = Files.newBufferedReader(home.resolve(other).resolve(STATE_FILE))) {
        Properties p = new Properties();
        p.load(r);
        used.add(Integer.parseInt(p.getProperty("block", "-1")));
      } catch (IOException | NumberFormatException ignored) {
        // an unreadable neighbour cannot claim a block
      }
    }
    int start = 1 + Math.floorMod(name.hashCode(), 254);
    for (int i = 0; i < 254; i++) {
      int b = 1 + Math.floorMod(start - 1 + i, 254);
      if (!used.contains(b)) {
        return b;
      }
    }
    throw new LocalClusterException("no free loopback block left under " + home);
  }

  private static RedisProcess allocate(LocalClusterSpec spec, int block, int index) {
    String host = "127." + block + "." + (index / 250) + "." + (index % 250 + 1);
    int port = spec.port();
    int bus;
    if (port == 0) {
      port = freePort(host);
      bus = freePort(host);
    } else {
      bus = port + 10000;
      for (int candidate : new int[] {port, bus}) {
        if (!bindable(host, candidate)) {
          throw new LocalClusterException(
              "port "
                  + candidate
                  + " is in use on "
                  + host
                  + " (another process listens on it); choose another --port");
        }
      }
    }
    return new RedisProcess(
        index, new NodeAddress(host, port), bus, spec.clusterDir().resolve("node-" + index));
  }

  static boolean bindable(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new LocalClusterException("cannot bind " + host + ": " + e.getMessage());
    }
  }

  private void saveState() throws IOException {
    Files.createDirectories(spec.clusterDir());
    Properties p = new Properties();
    p.setProperty("shards", Integer.toString(spec.shards()));
    p.setProperty("replicas", Integer.toString(spec.replicas()));
    p.setProperty("port", Integer.toString(spec.port()));
    p.setProperty("redisServer", spec.redisServer());
    p.setProperty("nodeTimeoutMillis", Integer.toString(spec.nodeTimeoutMillis()));
    p.setProperty("appendOnly", Boolean.toString(spec.appendOnly()));
    p.setProperty("block", Integer.toString(block));
    if (spec.password() != null) {
      p.setProperty("password", spec.password());
    }
    p.setProperty("nodes", Integer.toString(nodes.size()));
    for (int i = 0; i < nodes.size(); i++) {
      RedisProcess n = nodes.get(i);
      p.setProperty("node." + i + ".index", Integer.toString(n.index()));
      p.setProperty("node." + i + ".address", n.address().toString());
      p.setProperty("node." + i + ".bus", Integer.toString(n.busPort()));
    }
    Path state = spec.clusterDir().resolve(STATE_FILE);
    Path tmp = state.resolveSibling(STATE_FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "slotwise local cluster " + spec.name());
    }
    tmp.toFile().setReadable(false, false);
    tmp.toFile().setReadable(true, true);
    Files.move(
        tmp,
        state,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void startProcesses() {
    for (RedisProcess p : nodes) {
      if (!p.alive()) {
        startOne(p);
      }
    }
    for (RedisProcess p : nodes) {
      awaitAnswer(p);
    }
  }

  private void startOne(RedisProcess p) {
    try {
      admin.forget(p.address());
      p.start(spec.redisServer());
    } catch (IOException e) {
      throw new LocalClusterException("cannot start " + spec.redisServer() + ": " + e.getMessage());
    }
  }

  private void awaitAnswer(RedisProcess p) {
    new Waiter(Duration.ofSeconds(15), Duration.ofMillis(10))
        .await(
            "for " + p.address() + " to answer",
            () -> {
              if (!p.alive()) {
                throw new LocalClusterException(
                    "redis-server for " + p.address() + " exited: " + p.lastLogLines(3));
              }
              try {
                admin.node(p.address()).ping();
                return null;
              } catch (RedisAdminException e) {
                admin.forget(p.address());
                return e.getMessage();
              }
            });
  }

  /** Waits until every node agrees and says {@code cluster_state:ok}. */
  public void awaitHealthy() {
    StepExecutor ex = new StepExecutor(admin, observer, Waiter.standard(), log);
    ex.awaitAgreement(addresses());
    ex.awaitClusterOk(addresses());
  }

  /**
   * One round of keeping the cluster alive: one convergence step towards the recorded shape (which
   * restarts every node whose process is gone on its own data directory, same node id, and carries
   * on an unfinished scale), then introduces nodes that lost sight of the others.
   *
   * @return what it did, one line an action
   */
  public synchronized List<String> superviseOnce() {
    reload();
    List<String> done = new ArrayList<>(LocalScale.superviseStep(this, log));
    ClusterView view = observe();
    // A node alone and empty is not a lost member: the convergence step joins or removes it.
    List<NodeReport> members =
        view.reachable().stream()
            .filter(r -> r.known().size() > 1 || !r.self().slots().isEmpty())
            .toList();
    Set<String> ids = new HashSet<>();
    members.forEach(r -> ids.add(r.id()));
    NodeAddress anchor = addresses().get(0);
    for (NodeReport r : members) {
      Set<String> seen = new HashSet<>();
      r.known().stream().filter(k -> !k.handshake()).forEach(k -> seen.add(k.id()));
      if (!seen.containsAll(ids)) {
        RedisProcess other = r.address().equals(anchor) ? nodes.get(1) : nodes.get(0);
        admin.node(r.address()).meet(other.address(), other.busPort());
        done.add(
            "introduced "
                + r.address()
                + ", which had lost sight of the cluster, to "
                + other.address());
      }
    }
    return done;
  }

  /**
   * Changes the number of shards and replicas of a running cluster, through the convergence step
   * ({@link LocalScale}). Growing: new nodes start, join as empty primaries (and their replicas),
   * then slots move onto them. Shrinking: the newest shards (by node index) are drained, their
   * nodes leave the cluster and stop.
   *
   * @param listener hears about data movement
   * @return the outcome of the data movement, or null when no data moved
   */
  public synchronized Rebalancer.Outcome scale(
      int shards, int replicas, SlotMigrator.Options options, MigrationListener listener)
      throws IOException {
    return LocalScale.run(this, shards, replicas, options, listener, log);
  }

  /**
   * Shards of our nodes: primary first, then its replicas; shards ordered by their lowest node
   * index.
   */
  private List<List<RedisProcess>> shardsByIndex(ClusterView view) {
    List<List<RedisProcess>> out = new ArrayList<>();
    for (ClusterView.Shard s : view.shards()) {
      if (s.primary().self().slots().isEmpty()) {
        continue;
      }
      List<RedisProcess> shard = new ArrayList<>();
      node(s.primary().address()).ifPresent(shard::add);
      s.replicas().stream()
          .map(r -> node(r.address()))
          .flatMap(Optional::stream)
          .sorted(Comparator.comparingInt(RedisProcess::index))
          .forEach(shard::add);
      if (!shard.isEmpty()) {
        out.add(shard);
      }
    }
    out.sort(
        Comparator.comparingInt(sh -> sh.stream().mapToInt(RedisProcess::index).min().orElse(0)));
    return out;
  }

  /** Starts one more node (not yet part of the cluster) and records it. */
  public synchronized RedisProcess startNewNode() throws IOException {
    int index = nodes.stream().mapToInt(RedisProcess::index).max().orElse(-1) + 1;
    RedisProcess p = allocate(spec, block, index);
    p.writeConfig(spec);
    nodes.add(p);
    saveState();
    startOne(p);
    awaitAnswer(p);
    log.accept("started node " + index + " at " + p.address());
    return p;
  }

  private void removeNodes(NodeMembership membership, NodeAddress seed, List<RedisProcess> removing)
      throws IOException {
    for (RedisProcess p : removing) {
      String id = observer.report(p.address()).id();
      membership.remove(seed, id);
      p.markRemoved();
      nodes.remove(p);
      saveState();
      p.kill();
      admin.forget(p.address());
      deleteTree(p.dir());
      log.accept("stopped node " + p.index() + " at " + p.address());
    }
  }

  /** Starts a node whose process is gone on its own data directory and waits until it answers. */
  public synchronized void restartNode(RedisProcess p) {
    startOne(p);
    awaitAnswer(p);
  }

  /**
   * Stops a node that is no longer a member of the cluster, drops it from the recorded nodes and
   * deletes its data directory; it is marked removed first, so no supervisor restarts it.
   */
  public synchronized void discardNode(RedisProcess p) throws IOException {
    p.markRemoved();
    nodes.removeIf(n -> n.index() == p.index());
    saveState();
    p.kill();
    admin.forget(p.address());
    deleteTree(p.dir());
    log.accept("stopped node " + p.index() + " at " + p.address());
  }

  /** Records the shards and replicas per shard the cluster now has. */
  public synchronized void recordShape(int shards, int replicas) throws IOException {
    spec = spec.withShards(shards, replicas);
    saveState();
  }

  /** Stops every node (SHUTDOWN NOSAVE, then signals) and waits until no process is left. */
  public void stopProcesses() {
    for (RedisProcess p : nodes) {
      if (p.alive()) {
        try {
          admin.node(p.address()).shutdownNoSave();
        } catch (RedisAdminException ignored) {
          // the signal below stops it
        }
      }
    }
    for (RedisProcess p : nodes) {
      p.kill();
      admin.forget(p.address());
    }
  }

  /** Stops every node and deletes the cluster's folder. */
  public void destroy() {
    stopProcesses();
    deleteTree(spec.clusterDir());
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new LocalClusterException("cannot delete " + dir + ": " + e.getMessage());
    }
  }

  /** The node whose data lives at this address, if it is one of ours. */
  public Optional<RedisProcess> node(NodeAddress address) {
    return nodes.stream().filter(n -> n.address().equals(address)).findFirst();
  }

  /** The node whose id is this, if it is one of ours and answers. */
  public Optional<RedisProcess> nodeById(String id) {
    ClusterView v = observer.observeOnly(addresses());
    return v.node(id).flatMap(r -> node(r.address()));
  }

  /** Records a supervisor process, so {@code down} can stop it. */
  public void recordSupervisor(long pid) throws IOException {
    Files.writeString(spec.clusterDir().resolve("supervisor.pid"), Long.toString(pid));
  }

  public Optional<ProcessHandle> supervisor() {
    Path f = spec.clusterDir().resolve("supervisor.pid");
    try {
      if (!Files.exists(f)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(f).trim()))
          .filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    observer.close();
    admin.close();
  }
}
