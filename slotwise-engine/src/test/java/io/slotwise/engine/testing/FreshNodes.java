package io.slotwise.engine.testing;

import static org.awaitility.Awaitility.await;

import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Standalone, cluster-enabled {@code redis-server} processes that belong to no cluster yet, each on
 * its own loopback address and a free port: the input of {@code cluster create} and {@code
 * add-node}. {@link #close()} stops every process it started.
 */
public final class FreshNodes implements AutoCloseable {
  /**
   * 127.250.*.*: a block the local runtime's name hash may share, but ports are free per address.
   */
  private static final int BLOCK = 250;

  private static final AtomicInteger NEXT = new AtomicInteger();

  private final List<RedisProcess> nodes = new ArrayList<>();
  private final String password;

  private FreshNodes(String password) {
    this.password = password;
  }

  public static FreshNodes start(Path home, int count) {
    return start(home, count, null);
  }

  /** Starts {@code count} nodes under {@code home}, requiring {@code password} when not null. */
  public static FreshNodes start(Path home, int count, String password) {
    FreshNodes fresh = new FreshNodes(password);
    try {
      fresh.add(home, count);
      return fresh;
    } catch (RuntimeException e) {
      fresh.close();
      throw e;
    }
  }

  /** Starts {@code count} more nodes and waits until each answers. */
  public List<RedisProcess> add(Path home, int count) {
    LocalClusterSpec spec =
        new LocalClusterSpec(
            "fresh",
            3,
            0,
            home,
            0,
            TestClusters.redisServer(),
            TestClusters.NODE_TIMEOUT_MILLIS,
            password,
            false);
    List<RedisProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = NEXT.getAndIncrement();
      String host = "127." + BLOCK + "." + (n / 250 % 250) + "." + (n % 250 + 1);
      RedisProcess p =
          new RedisProcess(
              n, new NodeAddress(host, freePort(host)), freePort(host), home.resolve("fresh-" + n));
      try {
        p.writeConfig(spec);
        nodes.add(p);
        p.start(spec.redisServer());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      started.add(p);
    }
    try (RedisAdmin admin = new RedisAdmin(Credentials.password(password))) {
      for (RedisProcess p : started) {
        await("for " + p.address() + " to answer")
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> answers(admin, p));
      }
    }
    return started;
  }

  private static boolean answers(RedisAdmin admin, RedisProcess p) {
    if (!p.alive()) {
      throw new IllegalStateException(
          "redis-server for " + p.address() + " exited: " + p.lastLogLines(3));
    }
    try {
      admin.node(p.address()).ping();
      return true;
    } catch (RedisAdminException e) {
      admin.forget(p.address());
      return false;
    }
  }

  static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<RedisProcess> processes() {
    return List.copyOf(nodes);
  }

  public RedisProcess get(int i) {
    return nodes.get(i);
  }

  public List<NodeAddress> addresses() {
    return nodes.stream().map(RedisProcess::address).toList();
  }

  /** The addresses as {@code HOST:PORT} command-line arguments. */
  public List<String> args() {
    return addresses().stream().map(NodeAddress::toString).toList();
  }

  /** Stops every process, also those that failed to answer. */
  @Override
  public void close() {
    nodes.forEach(RedisProcess::kill);
  }
}
