package io.slotwise.engine.testing;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.PartitionSelectorException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady application load through a cluster client: SET of new and existing keys and GET of keys
 * it wrote, on a background thread. Every acknowledged write is remembered; every request that
 * fails after the client's own redirect handling is counted. Bounded in time and count.
 */
public final class ClientLoad implements AutoCloseable {
  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<String, String> connection;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> unknownOutcome = new ConcurrentHashMap<>();
  private final List<String> wrongReads = new CopyOnWriteArrayList<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean slotMapShown = new AtomicBoolean();
  private final Thread thread;

  public ClientLoad(NodeAddress seed, String prefix) {
    this(seed, prefix, null);
  }

  /** A load that authenticates with {@code password} (none when null). */
  public ClientLoad(NodeAddress seed, String prefix, String password) {
    RedisURI.Builder uri =
        RedisURI.builder()
            .withHost(seed.host())
            .withPort(seed.port())
            .withTimeout(Duration.ofSeconds(10));
    if (password != null) {
      uri.withPassword(password.toCharArray());
    }
    client = RedisClusterClient.create(uri.build());
    client.setOptions(
        ClusterClientOptions.builder()
            .maxRedirects(10)
            // Like a well-configured application: refresh the slot map soon after a redirect.
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .build())
            .build());
    connection = client.connect();
    thread = new Thread(() -> run(prefix), "client-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(String prefix) {
    RedisAdvancedClusterCommands<String, String> sync = connection.sync();
    long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
    int i = 0;
    while (running.get() && System.nanoTime() < deadline && i < 2_000_000) {
      String key =
          prefix
              + ":"
              + (ThreadLocalRandom.current().nextInt(4) == 0 && i > 0
                  ? ThreadLocalRandom.current().nextInt(i)
                  : i++);
      String value = "v" + System.nanoTime();
      boolean written = false;
      try {
        requests.incrementAndGet();
        sync.set(key, value);
        acknowledged.put(key, value);
        unknownOutcome.remove(key);
        written = true;
        String other = prefix + ":" + ThreadLocalRandom.current().nextInt(i);
        String expected = acknowledged.get(other);
        requests.incrementAndGet();
        String got = sync.get(other);
        if (expected != null
            && !expected.equals(got)
            && expected.equals(acknowledged.get(other))
            && !unknownOutcome.getOrDefault(other, Set.of()).contains(got)) {
          wrongReads.add(other + " expected " + expected + " got " + got);
        }
      } catch (RuntimeException e) {
        if (!written) {
          // A SET that failed on the client's side (a timeout, a dropped connection) may still
          // have been applied: reading its value later is no lost write.
          unknownOutcome.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
        }
        failures.add(key + ": " + e + slotMapOnce(e));
      }
    }
  }

  /**
   * For the first request that found no node for its slot: the slot map the client had then (each
   * node: id, address, role, slot count), so that a failure says whose view the client took.
   */
  private String slotMapOnce(RuntimeException e) {
    if (!(e instanceof PartitionSelectorException p) || !slotMapShown.compareAndSet(false, true)) {
      return "";
    }
    StringBuilder b = new StringBuilder(" (the client's slot map then:");
    for (RedisClusterNode n : p.getPartitions()) {
      b.append(' ')
          .append(n.getNodeId(), 0, Math.min(8, n.getNodeId().length()))
          .append('@')
          .append(n.getUri() == null ? "?" : n.getUri().getHost() + ":" + n.getUri().getPort())
          .append(n.is(RedisClusterNode.NodeFlag.UPSTREAM) ? " primary " : " replica ")
          .append(n.getSlots().size())
          .append(" slots;");
    }
    return b.append(')').toString();
  }

  /** Stops the load and waits for its thread. */
  public void stop() {
    running.set(false);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public Map<String, String> acknowledged() {
    return acknowledged;
  }

  /**
   * Whether {@code got}, read back for {@code key}, is what the load wrote last: the acknowledged
   * value, or that of a later SET whose outcome the client never learnt (it failed on the client's
   * side, but Redis may have applied it).
   */
  public boolean wroteLast(String key, String got) {
    return Objects.equals(acknowledged.get(key), got)
        || unknownOutcome.getOrDefault(key, Set.of()).contains(got);
  }

  public List<String> failures() {
    return failures;
  }

  public List<String> wrongReads() {
    return wrongReads;
  }

  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    stop();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
