package io.slotwise.engine.observe;

import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds a {@link ClusterView} by asking every node: starting from seeds, it follows every address
 * any node knows until no new address turns up. Observation never changes anything.
 */
public final class ClusterObserver implements AutoCloseable {
  private final RedisAdmin admin;
  private final ExecutorService pool;
  private final boolean ownsPool;

  /** An observer with 8 threads of its own, stopped by {@link #close()}. */
  public ClusterObserver(RedisAdmin admin) {
    this(
        admin,
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "slotwise-observe");
              t.setDaemon(true);
              return t;
            }),
        true);
  }

  /**
   * An observer that asks the nodes on a shared pool, which {@link #close()} leaves running. The
   * pool's tasks only talk to Redis (they never wait for other tasks), so any pool size works.
   */
  public ClusterObserver(RedisAdmin admin, ExecutorService pool) {
    this(admin, pool, false);
  }

  private ClusterObserver(RedisAdmin admin, ExecutorService pool, boolean ownsPool) {
    this.admin = admin;
    this.pool = pool;
    this.ownsPool = ownsPool;
  }

  /** Observes the seeds and every node they lead to. */
  public ClusterView observe(Collection<NodeAddress> seeds) {
    Map<NodeAddress, NodeReport> done = new ConcurrentHashMap<>();
    Set<NodeAddress> frontier = new LinkedHashSet<>(seeds);
    while (!frontier.isEmpty()) {
      List<Future<NodeReport>> futures = new ArrayList<>();
      for (NodeAddress a : frontier) {
        futures.add(pool.submit(() -> report(a)));
      }
      Set<NodeAddress> next = new LinkedHashSet<>();
      for (Future<NodeReport> f : futures) {
        NodeReport r = get(f);
        done.put(r.address(), r);
        for (NodeRecord rec : r.known()) {
          if (rec.address() != null
              && !rec.handshake()
              && !rec.myself()
              && !done.containsKey(rec.address())) {
            next.add(rec.address());
          }
        }
      }
      next.removeAll(done.keySet());
      frontier = next;
    }
    return new ClusterView(done.values());
  }

  /** Observes exactly these nodes, without following what they know. */
  public ClusterView observeOnly(Collection<NodeAddress> nodes) {
    return ask(nodes, this::report);
  }

  /**
   * Only {@code CLUSTER NODES} of exactly these nodes: the cheap observation for waiting until
   * nodes agree (other report fields are left empty).
   */
  public ClusterView membership(Collection<NodeAddress> nodes) {
    return ask(
        nodes,
        a -> {
          try {
            return new NodeReport(
                a,
                NodeRecord.parseAll(admin.node(a).clusterNodes()),
                Map.of(),
                Map.of(),
                0,
                0,
                null);
          } catch (RedisAdminException e) {
            admin.forget(a);
            return NodeReport.unreachable(a, e.getMessage());
          }
        });
  }

  /** Asks each node in parallel. */
  private ClusterView ask(
      Collection<NodeAddress> nodes,
      java.util.function.Function<NodeAddress, NodeReport> question) {
    List<Future<NodeReport>> futures = new ArrayList<>();
    for (NodeAddress a : new LinkedHashSet<>(nodes)) {
      futures.add(pool.submit(() -> question.apply(a)));
    }
    List<NodeReport> out = new ArrayList<>();
    futures.forEach(f -> out.add(get(f)));
    return new ClusterView(out);
  }

  /** What one node says, or an unreachable report naming why. */
  public NodeReport report(NodeAddress address) {
    try {
      NodeClient.Snapshot s = admin.node(address).snapshot();
      List<NodeRecord> known = NodeRecord.parseAll(s.clusterNodes());
      long mem = Long.parseLong(s.memory().getOrDefault("used_memory", "0"));
      return new NodeReport(address, known, s.clusterInfo(), s.replication(), s.keys(), mem, null);
    } catch (RedisAdminException e) {
      admin.forget(address);
      return NodeReport.unreachable(address, e.getMessage());
    }
  }

  private static NodeReport get(Future<NodeReport> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while observing", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    if (ownsPool) {
      pool.shutdownNow();
    }
  }
}
