package io.slotwise.engine.testing;

import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisServerBinary;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts real local clusters for tests: free ports, a private folder, short failure timeouts. */
public final class TestClusters {
  private static final Logger LOG = LoggerFactory.getLogger(TestClusters.class);
  private static final AtomicInteger COUNTER = new AtomicInteger();
  public static final int NODE_TIMEOUT_MILLIS = 2000;

  private TestClusters() {}

  public static String redisServer() {
    return RedisServerBinary.require(null);
  }

  public static LocalClusterSpec spec(Path home, int shards, int replicas) {
    String name = "t" + ProcessHandle.current().pid() % 10000 + "-" + COUNTER.incrementAndGet();
    return new LocalClusterSpec(
        name, shards, replicas, home, 0, redisServer(), NODE_TIMEOUT_MILLIS, null, false);
  }

  public static LocalCluster start(Path home, int shards, int replicas) {
    return LocalCluster.up(spec(home, shards, replicas), LOG::info);
  }

  /**
   * A cluster whose nodes keep an append-only file, so a crashed primary may be restarted with its
   * identity (without one it would serve its slots empty, and the supervisor does not do that).
   */
  public static LocalCluster startPersistent(Path home, int shards, int replicas) {
    LocalClusterSpec s = spec(home, shards, replicas);
    return LocalCluster.up(
        new LocalClusterSpec(
            s.name(), shards, replicas, home, 0, s.redisServer(), NODE_TIMEOUT_MILLIS, null, true),
        LOG::info);
  }
}
