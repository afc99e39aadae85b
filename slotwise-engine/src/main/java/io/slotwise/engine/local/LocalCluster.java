package io.slotwise.engine.local;

import io.slotwise.engine.execute.ConfigJournal;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A Redis Cluster of local {@code redis-server} processes, each on its own loopback address ({@code
 * 127.B.0.N}) so that nodes look like pods with their own IPs. The cluster's folder holds one data
 * directory per node and {@code cluster.properties}, which lets another Slotwise process find,
 * inspect and stop it.
 *
 * <p>A facade over its parts: {@link LocalClusterStartup} (create or resume), {@link
 * ClusterStateFile} (the folder's record), {@link LoopbackAllocator} (addresses and ports), {@link
 * NodeProcesses} (start, wait, stop), {@link LocalSupervisor} (healing rounds), {@link LocalScaler}
 * (adding and removing shards), {@link ClusterLock} (one process at a time starts, heals or scales
 * the nodes) and {@link PrivateFiles} (0600 files for the password).
 */
public final class LocalCluster implements AutoCloseable {
  static final String STATE_FILE = ClusterStateFile.NAME;

  private volatile LocalClusterSpec spec;
  private final int block;
  private final List<RedisProcess> nodes;
  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final NodeProcesses processes;
  private final Consumer<String> log;
  private final ClusterLock lock;
  private LocalSupervisor supervisor;

  /** How long an operation waits for another process to finish with the cluster's nodes. */
  static final Duration LOCK_WAIT = Duration.ofSeconds(5);

  private LocalCluster(
      LocalClusterSpec spec, int block, List<RedisProcess> nodes, Consumer<String> log) {
    this.spec = spec;
    this.block = block;
    this.nodes = new ArrayList<>(nodes);
    this.admin = new RedisAdmin(Credentials.password(spec.password()));
    this.observer = new ClusterObserver(admin);
    this.processes = new NodeProcesses(admin);
    this.log = log;
    this.lock = ClusterLock.of(spec.clusterDir(), spec.name());
  }

  public LocalClusterSpec spec() {
    return spec;
  }

  public List<RedisProcess> nodes() {
    return List.copyOf(nodes);
  }

  public List<NodeAddress> addresses() {
    return nodes().stream().map(RedisProcess::address).toList();
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
    return LocalClusterStartup.up(spec, log);
  }

  /**
   * Records a new cluster that has no nodes yet, for a caller that starts them one by one ({@link
   * #startNewNode}) and forms the cluster itself, such as the convergence step.
   */
  public static LocalCluster empty(LocalClusterSpec spec, Consumer<String> log) {
    LocalClusterStartup.requireServer(spec.redisServer());
    if (ClusterStateFile.read(spec.home(), spec.name()).isPresent()) {
      throw new LocalClusterException(
          LocalClusterException.Kind.ALREADY_RUNNING,
          "local cluster '" + spec.name() + "' already exists");
    }
    LocalCluster c =
        new LocalCluster(
            spec, LoopbackAllocator.chooseBlock(spec.home(), spec.name()), List.of(), log);
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
    Optional<LocalCluster> c =
        ClusterStateFile.read(home, name)
            .map(st -> new LocalCluster(st.spec(), st.block(), st.nodes(), log));
    c.ifPresent(LocalCluster::restorePendingConfig);
    return c;
  }

  /**
   * Puts back configuration values that an earlier Slotwise process lowered on these nodes (while
   * they formed or joined) and died before it could restore; see {@link ConfigJournal}.
   */
  public List<String> restorePendingConfig() {
    ConfigJournal j = journal();
    if (j.isEmpty() || !lock.tryAcquire()) {
      return List.of(); // nothing to do, or the process that lowered them is still at work
    }
    try {
      List<String> done = j.restore(admin, addresses());
      done.forEach(log);
      return done;
    } finally {
      lock.release();
    }
  }

  /** Where values lowered for a while on this cluster's nodes are recorded. */
  ConfigJournal journal() {
    return ConfigJournal.in(spec.clusterDir().resolve("temporary-config"));
  }

  /** Re-reads the node list from the cluster's folder: another process may have scaled it. */
  public synchronized void reload() {
    ClusterStateFile.read(spec.home(), spec.name())
        .ifPresent(
            st -> {
              nodes.clear();
              nodes.addAll(st.nodes());
              spec = st.spec();
            });
  }

  /** Names of the clusters recorded under home. */
  public static List<String> list(Path home) {
    return ClusterStateFile.list(home);
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
    if (supervisor == null) {
      supervisor = new LocalSupervisor(this);
    }
    if (!Files.isDirectory(spec.clusterDir()) || !lock.tryAcquire()) {
      return List.of(); // deleted, or another process is starting, healing or scaling the nodes
    }
    try {
      return supervisor.superviseOnce();
    } finally {
      lock.release();
    }
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
    lock.acquire(LOCK_WAIT);
    try {
      return LocalScale.run(this, shards, replicas, options, listener, log);
    } finally {
      lock.release();
    }
  }

  /** Starts one more node (not yet part of the cluster) and records it. */
  public synchronized RedisProcess startNewNode() throws IOException {
    lock.acquire(LOCK_WAIT);
    try {
      return new LocalScaler(this).startNewNode();
    } finally {
      lock.release();
    }
  }

  /**
   * Starts a node whose process is gone on its own data directory and waits until it answers.
   * Refuses a primary that owned slots and lost its data: restarted with its identity it would
   * serve them empty (the supervisor lets it rejoin as a new replica once that is safe).
   */
  public synchronized void restartNode(RedisProcess p) {
    if (LocalSupervisor.lostDataAsOwner(this, p)) {
      throw new LocalClusterException(
          "node "
              + p.index()
              + " stopped without its data while it owned slots; it rejoins as a new replica once"
              + " another node owns them");
    }
    processes.start(p, spec.redisServer());
    processes.awaitAnswer(p);
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
    processes.stopAll(nodes());
  }

  /** Stops every node and deletes the cluster's folder. */
  public void destroy() {
    // Waits for a heal or scale in another process to end; stops the nodes either way.
    boolean locked;
    try {
      lock.acquire(LOCK_WAIT);
      locked = true;
    } catch (LocalClusterException e) {
      locked = false;
    }
    try {
      stopProcesses();
      deleteTree(spec.clusterDir());
    } finally {
      if (locked) {
        lock.release();
      }
    }
  }

  static void deleteTree(Path dir) {
    NodeProcesses.deleteTree(dir);
  }

  /** Deletes a folder and everything in it, e.g. the home of a throwaway cluster. */
  public static void deleteFolder(Path dir) {
    NodeProcesses.deleteTree(dir);
  }

  /** The node whose data lives at this address, if it is one of ours. */
  public Optional<RedisProcess> node(NodeAddress address) {
    return nodes().stream().filter(n -> n.address().equals(address)).findFirst();
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

  // Package-private access for the parts.

  static LocalCluster of(
      LocalClusterSpec spec, int block, List<RedisProcess> nodes, Consumer<String> log) {
    return new LocalCluster(spec, block, nodes, log);
  }

  int block() {
    return block;
  }

  NodeProcesses processes() {
    return processes;
  }

  Consumer<String> log() {
    return log;
  }

  synchronized void addNode(RedisProcess p) throws IOException {
    nodes.add(p);
    saveState();
  }

  synchronized void saveState() throws IOException {
    ClusterStateFile.write(new ClusterStateFile.State(spec, block, List.copyOf(nodes)));
  }
}
