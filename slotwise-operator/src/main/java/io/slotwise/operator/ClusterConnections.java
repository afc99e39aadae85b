package io.slotwise.operator;

import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisThreads;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One Redis admin connection set per RedisCluster, reused across reconciles and replaced when the
 * password changes (compared by digest; the password itself is not kept here).
 *
 * <p>Every cluster's connections share one set of threads: two Lettuce event loops, and a pool of
 * observation threads that exist only while some cluster is being observed. Threads per cluster
 * would cost the operator about ten threads, and their buffers, for every RedisCluster it manages.
 */
public final class ClusterConnections implements AutoCloseable {
  /** Event loops shared by every cluster's connections; an operator's traffic is light. */
  static final int IO_THREADS = 2;

  /** Observation threads at most, shared by every cluster (one observation asks every node). */
  static final int OBSERVE_THREADS = 8;

  /** The admin and observer of one cluster. */
  public record Session(RedisAdmin admin, ClusterObserver observer, byte[] digest) {}

  /**
   * A session nobody asked for this long is closed: its RedisCluster was deleted (reconciles stop
   * then, and no finalizer is needed to hear of it). Far longer than any resync or bounded step.
   */
  static final java.time.Duration IDLE = java.time.Duration.ofMinutes(30);

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Long> lastUse = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier clock;

  public ClusterConnections() {
    this(System::nanoTime);
  }

  /** With a clock in nanoseconds, for tests. */
  ClusterConnections(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }

  private final RedisThreads threads = RedisThreads.create(IO_THREADS);
  private final ExecutorService observePool = observePool();

  private static ExecutorService observePool() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            OBSERVE_THREADS,
            OBSERVE_THREADS,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "slotwise-observe");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public Session session(String key, String password) {
    byte[] digest = digest(password);
    long now = clock.getAsLong();
    lastUse.put(key, now);
    for (var e : lastUse.entrySet()) {
      if (now - e.getValue() > IDLE.toNanos()) {
        drop(e.getKey());
      }
    }
    return sessions.compute(
        key,
        (k, current) -> {
          if (current != null && Arrays.equals(current.digest(), digest)) {
            return current;
          }
          if (current != null) {
            current.observer().close();
            current.admin().close();
          }
          RedisAdmin admin = new RedisAdmin(Credentials.password(password), threads);
          return new Session(admin, new ClusterObserver(admin, observePool), digest);
        });
  }

  /** The clusters that have a session now. */
  java.util.Set<String> keys() {
    return java.util.Set.copyOf(sessions.keySet());
  }

  public void drop(String key) {
    lastUse.remove(key);
    Session s = sessions.remove(key);
    if (s != null) {
      s.observer().close();
      s.admin().close();
    }
  }

  private static byte[] digest(String password) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest((password == null ? "" : password).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      sessions.keySet().forEach(this::drop);
    } finally {
      observePool.shutdownNow();
      threads.close();
    }
  }
}
