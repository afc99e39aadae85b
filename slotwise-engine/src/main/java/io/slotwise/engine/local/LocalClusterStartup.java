package io.slotwise.engine.local;

import io.slotwise.engine.execute.ClusterCreator;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.plan.ShardLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link LocalCluster#up}: creates a new local cluster, or resumes one whose folder exists but
 * whose processes are gone (their data and node ids are kept). Holds the cluster's lock throughout;
 * checks everything that can be checked before starting anything; on failure stops whatever it
 * started.
 */
final class LocalClusterStartup {
  private LocalClusterStartup() {}

  static LocalCluster up(LocalClusterSpec spec, Consumer<String> log) {
    boolean existed = Files.isDirectory(spec.clusterDir());
    ClusterLock lock = ClusterLock.of(spec.clusterDir(), spec.name());
    lock.acquire(LocalCluster.LOCK_WAIT);
    try {
      Optional<LocalCluster> existing = LocalCluster.open(spec.home(), spec.name(), log);
      return existing.isPresent() ? resume(existing.get(), log) : create(spec, log);
    } catch (RuntimeException e) {
      if (!existed) {
        removeIfOnlyLock(spec.clusterDir());
      }
      throw e;
    } finally {
      lock.release();
    }
  }

  private static LocalCluster resume(LocalCluster c, Consumer<String> log) {
    LocalClusterSpec spec = c.spec();
    if (c.nodes().stream().anyMatch(RedisProcess::alive)) {
      c.close();
      throw new LocalClusterException(
          LocalClusterException.Kind.ALREADY_RUNNING,
          "local cluster '" + spec.name() + "' is already running");
    }
    log.accept("resuming local cluster '" + spec.name() + "' from " + spec.clusterDir());
    try {
      c.processes().startAll(c.nodes(), spec.redisServer());
      c.restorePendingConfig();
      c.awaitHealthy();
      return c;
    } catch (RuntimeException e) {
      c.stopProcesses();
      c.close();
      throw e;
    }
  }

  private static LocalCluster create(LocalClusterSpec spec, Consumer<String> log) {
    requireServer(spec.redisServer());
    int block = LoopbackAllocator.chooseBlock(spec.home(), spec.name());
    List<RedisProcess> procs = new ArrayList<>();
    for (int i = 0; i < spec.nodeCount(); i++) {
      procs.add(LoopbackAllocator.allocate(spec, block, i));
    }
    LocalCluster c = LocalCluster.of(spec, block, procs, log);
    try {
      c.saveState();
      for (RedisProcess p : procs) {
        p.writeConfig(spec);
      }
      c.processes().startAll(c.nodes(), spec.redisServer());
      ClusterCreator creator =
          new ClusterCreator(c.admin(), c.observer(), Waiter.standard(), c.journal(), log);
      List<ShardLayout> layout = creator.plan(c.addresses(), spec.replicas(), a -> a.host());
      creator.create(layout);
      return c;
    } catch (IOException e) {
      c.destroy();
      throw new LocalClusterException("cannot write " + spec.clusterDir() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      c.destroy();
      throw e;
    }
  }

  static void requireServer(String redisServer) {
    if (!Files.isExecutable(Path.of(redisServer))) {
      throw new LocalClusterException(
          LocalClusterException.Kind.REDIS_SERVER,
          "redis-server not found at "
              + redisServer
              + " (Debian/Ubuntu: apt-get install redis-server)");
    }
  }

  /** Bad input changes nothing: a folder made only to hold the lock goes again. */
  private static void removeIfOnlyLock(Path dir) {
    try (var s = Files.list(dir)) {
      if (s.allMatch(f -> f.getFileName().toString().equals(ClusterLock.NAME))) {
        LocalCluster.deleteTree(dir);
      }
    } catch (IOException | RuntimeException ignored) {
      // the folder is gone already
    }
  }
}
