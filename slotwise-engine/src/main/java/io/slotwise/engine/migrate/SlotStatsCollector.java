package io.slotwise.engine.migrate;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.SlotStats;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.redis.SlotPipeline.Reply;
import io.slotwise.engine.topology.HashSlots;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures keys and bytes per slot on slot owners: {@code COUNTKEYSINSLOT} for every owned slot
 * (pipelined, every owner at once); bytes either sampled ({@code MEMORY USAGE} of up to {@link
 * #SAMPLE} keys of each slot, times its key count) or estimated from the node's average bytes per
 * key.
 */
public final class SlotStatsCollector {
  static final int SAMPLE = 16;

  private final NodeDirectory admin;

  public SlotStatsCollector(NodeDirectory admin) {
    this.admin = admin;
  }

  public SlotStats collect(ClusterView view, boolean sampleMemory) {
    return collect(view, null, sampleMemory);
  }

  /**
   * @param owners the ids of the owners to measure; null for every one (the slots of the others
   *     count 0 keys and 0 bytes)
   */
  public SlotStats collect(ClusterView view, Set<String> owners, boolean sampleMemory) {
    long[] keys = new long[HashSlots.COUNT];
    long[] bytes = new long[HashSlots.COUNT];
    List<NodeReport> measured =
        view.slotOwners().stream().filter(p -> owners == null || owners.contains(p.id())).toList();
    if (measured.isEmpty()) {
      return new SlotStats(keys, bytes);
    }
    // Owners hold disjoint slots: each thread writes its own entries of the arrays.
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(8, measured.size()),
            r -> {
              Thread t = new Thread(r, "slotwise-stats");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (NodeReport p : measured) {
        done.add(pool.submit(() -> collect(p, keys, bytes, sampleMemory)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting keys", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return new SlotStats(keys, bytes);
  }

  private void collect(NodeReport p, long[] keys, long[] bytes, boolean sampleMemory) {
    int[] slots = p.self().slots().toArray();
    try (SlotPipeline pipe = admin.pipeline(p.address())) {
      long[] counts = pipe.countKeysInSlots(slots);
      for (int i = 0; i < slots.length; i++) {
        keys[slots[i]] = counts[i];
      }
      if (sampleMemory) {
        sample(pipe, slots, keys, bytes);
      } else {
        long dataset =
            Long.parseLong(
                admin.node(p.address()).info("memory").getOrDefault("used_memory_dataset", "0"));
        long perKey = p.keys() > 0 ? Math.max(1, dataset / p.keys()) : 0;
        for (int s : slots) {
          bytes[s] = keys[s] * perKey;
        }
      }
    }
  }

  private static void sample(SlotPipeline pipe, int[] slots, long[] keys, long[] bytes) {
    List<Integer> withKeys = new ArrayList<>();
    for (int s : slots) {
      if (keys[s] > 0) {
        withKeys.add(s);
      }
    }
    List<List<byte[]>> samples = SlotPipeline.each(withKeys, s -> pipe.keysInSlot(s, SAMPLE));
    List<List<Reply<Long>>> sizes = new ArrayList<>();
    for (List<byte[]> ks : samples) {
      List<Reply<Long>> r = new ArrayList<>();
      for (byte[] k : ks) {
        r.add(pipe.memoryUsage(k));
      }
      sizes.add(r);
    }
    for (int i = 0; i < withKeys.size(); i++) {
      long sum = 0;
      int n = 0;
      for (Reply<Long> r : sizes.get(i)) {
        Long v = r.get();
        if (v != null) {
          sum += v;
          n++;
        }
      }
      int s = withKeys.get(i);
      bytes[s] = n == 0 ? 0 : Math.round((double) sum / n * keys[s]);
    }
  }
}
