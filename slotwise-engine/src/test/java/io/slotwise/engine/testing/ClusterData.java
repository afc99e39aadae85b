package io.slotwise.engine.testing;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes and verifies test data through a real cluster client (Lettuce {@link RedisClusterClient}),
 * which follows MOVED and ASK as applications do.
 */
public final class ClusterData implements AutoCloseable {
  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<String, String> connection;

  public ClusterData(NodeAddress seed) {
    this(seed, null);
  }

  public ClusterData(NodeAddress seed, String password) {
    RedisURI.Builder uri =
        RedisURI.builder()
            .withHost(seed.host())
            .withPort(seed.port())
            .withTimeout(Duration.ofSeconds(20));
    if (password != null) {
      uri.withPassword(password.toCharArray());
    }
    client = RedisClusterClient.create(uri.build());
    client.setOptions(
        ClusterClientOptions.builder()
            .maxRedirects(10)
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
            .build());
    connection = client.connect();
  }

  public static String value(String prefix, int i, int size) {
    String base = prefix + ":value:" + i + ":";
    StringBuilder sb = new StringBuilder(base);
    while (sb.length() < size) {
      sb.append((char) ('a' + (i + sb.length()) % 26));
    }
    return sb.toString();
  }

  public static String key(String prefix, int i) {
    return prefix + ":" + i;
  }

  /** Writes keys {@code prefix:0 .. prefix:n-1}, pipelined. */
  public void write(String prefix, int n, int valueSize) {
    Map<String, String> batch = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      batch.put(key(prefix, i), value(prefix, i, valueSize));
    }
    writeAll(batch);
  }

  public void writeAll(Map<String, String> entries) {
    RedisAdvancedClusterAsyncCommands<String, String> async = connection.async();
    List<RedisFuture<String>> pending = new ArrayList<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      pending.add(async.set(e.getKey(), e.getValue()));
      if (pending.size() >= 5000) {
        awaitAll(pending);
        pending.clear();
      }
    }
    awaitAll(pending);
  }

  /**
   * The keys among {@code prefix:0 .. n-1} whose value is missing or wrong; empty when all are
   * right.
   */
  public List<String> missing(String prefix, int n, int valueSize) {
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      expected.put(key(prefix, i), value(prefix, i, valueSize));
    }
    return missing(expected);
  }

  public List<String> missing(Map<String, String> expected) {
    RedisAdvancedClusterAsyncCommands<String, String> async = connection.async();
    List<String> bad = new ArrayList<>();
    List<Map.Entry<String, String>> entries = new ArrayList<>(expected.entrySet());
    for (int from = 0; from < entries.size(); from += 5000) {
      List<Map.Entry<String, String>> chunk =
          entries.subList(from, Math.min(entries.size(), from + 5000));
      List<RedisFuture<String>> futures = new ArrayList<>();
      for (Map.Entry<String, String> e : chunk) {
        futures.add(async.get(e.getKey()));
      }
      for (int i = 0; i < chunk.size(); i++) {
        String got = get(futures.get(i));
        if (!chunk.get(i).getValue().equals(got)) {
          bad.add(chunk.get(i).getKey());
        }
      }
    }
    return bad;
  }

  public StatefulRedisClusterConnection<String, String> connection() {
    return connection;
  }

  private static void awaitAll(List<RedisFuture<String>> futures) {
    for (RedisFuture<String> f : futures) {
      get(f);
    }
  }

  private static String get(RedisFuture<String> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
