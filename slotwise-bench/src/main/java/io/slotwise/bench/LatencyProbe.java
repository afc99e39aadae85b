package io.slotwise.bench;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * An independent cluster client, as an application would run one: a Lettuce {@code
 * RedisClusterClient} that follows redirects and refreshes its slot map after them, sending {@code
 * INCR} of random keys one after another, as fast as it can, on a background thread. Each request
 * is timed from send to reply; each reply is checked against the count this client expects, so a
 * lost or doubled write shows as wrong.
 */
final class LatencyProbe implements AutoCloseable {
  static final int KEYS = 1000;

  /** Latencies of the requests sent while measuring. */
  record Figures(
      long requests, long errors, long wrong, double p50, double p99, double max, double maxAt) {}

  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<String, String> connection;
  private final long[] expected = new long[KEYS];
  private final boolean[] touched = new boolean[KEYS];
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean measuring;
  private long[] micros = new long[1 << 16];
  private int count;
  private long measuringSince;
  private long slowest = -1;
  private long slowestAt;
  private long errors;
  private long wrong;

  LatencyProbe(NodeAddress seed) {
    client =
        RedisClusterClient.create(
            RedisURI.builder()
                .withHost(seed.host())
                .withPort(seed.port())
                .withTimeout(Duration.ofSeconds(10))
                .build());
    client.setOptions(
        ClusterClientOptions.builder()
            .maxRedirects(10)
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .build())
            .build());
    connection = client.connect();
    thread = new Thread(this::run, "latency-probe");
    thread.setDaemon(true);
    thread.start();
  }

  static String key(int i) {
    return "probe:" + i;
  }

  private void run() {
    RedisAdvancedClusterCommands<String, String> sync = connection.sync();
    SplittableRandom random = new SplittableRandom(7);
    while (running) {
      int k = random.nextInt(KEYS);
      boolean measured = measuring;
      long start = System.nanoTime();
      long reply;
      try {
        reply = sync.incr(key(k));
      } catch (RuntimeException e) {
        long spent = (System.nanoTime() - start) / 1000;
        synchronized (this) {
          if (measured) {
            errors++;
            add(spent);
          }
        }
        // The write may or may not have landed: the next reply for this key tells.
        expected[k] = -1;
        continue;
      }
      long spent = (System.nanoTime() - start) / 1000;
      synchronized (this) {
        if (measured && spent > slowest) {
          slowest = spent;
          slowestAt = start;
        }
        touched[k] = true;
        if (expected[k] >= 0 && reply != expected[k] + 1 && measured) {
          wrong++;
        }
        expected[k] = reply;
        if (measured) {
          add(spent);
        }
      }
    }
  }

  private void add(long spentMicros) {
    if (count == micros.length) {
      micros = Arrays.copyOf(micros, count * 2);
    }
    micros[count++] = spentMicros;
  }

  /**
   * Opens the client's connection to every node the cluster has now (the new ones included) and
   * pings each, so that the first request sent to a new owner does not pay for a connection.
   */
  void connectEverywhere() {
    client.refreshPartitions();
    for (var node : connection.getPartitions()) {
      connection.getConnection(node.getNodeId()).sync().ping();
    }
  }

  /** Starts counting (the client has been running, so its connections are warm). */
  synchronized void startMeasuring() {
    count = 0;
    errors = 0;
    wrong = 0;
    slowest = -1;
    measuringSince = System.nanoTime();
    measuring = true;
  }

  /** Stops counting and returns what was measured since {@link #startMeasuring}. */
  synchronized Figures stopMeasuring() {
    measuring = false;
    if (count == 0) {
      return new Figures(0, errors, wrong, 0, 0, 0, 0);
    }
    long[] sorted = Arrays.copyOf(micros, count);
    Arrays.sort(sorted);
    return new Figures(
        count,
        errors,
        wrong,
        percentile(sorted, 50) / 1000.0,
        percentile(sorted, 99) / 1000.0,
        sorted[count - 1] / 1000.0,
        slowest < 0 ? 0 : (slowestAt - measuringSince) / 1e9);
  }

  private static long percentile(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** Stops the client and deletes every key it wrote, so that the data check sees only its own. */
  @Override
  public void close() throws Exception {
    running = false;
    thread.join(30_000);
    List<RedisFuture<Long>> deleted = new ArrayList<>();
    var async = connection.async();
    synchronized (this) {
      for (int k = 0; k < KEYS; k++) {
        if (touched[k] || expected[k] != 0) {
          deleted.add(async.del(key(k)));
        }
      }
    }
    for (RedisFuture<Long> f : deleted) {
      f.get(1, TimeUnit.MINUTES);
    }
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
