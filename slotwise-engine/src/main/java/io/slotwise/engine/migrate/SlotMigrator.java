package io.slotwise.engine.migrate;

import io.slotwise.engine.execute.SlotMover;
import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.redis.SlotPipeline.Reply;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Moves slots between primaries with the standard protocol, built for speed and safety.
 *
 * <p>Moves are grouped by (source, target) pair. Pairs run in parallel on worker threads as long as
 * at most {@link Options#pairsPerSource} share a source (MIGRATE runs on the source's single
 * thread) and at most {@link Options#pairsPerTarget} share a target. Within a pair, slots go in
 * groups; for each group:
 *
 * <ol>
 *   <li>{@code SETSLOT IMPORTING} for every slot on the target, then {@code SETSLOT MIGRATING} on
 *       the source, each pipelined (target first: a client sent by ASK is never refused);
 *   <li>drain: {@code GETKEYSINSLOT} for every slot of the group, pipelined; {@code MEMORY USAGE}
 *       of every key, pipelined; then {@code MIGRATE ... KEYS} batches cut by a byte budget (and a
 *       key cap), all batches of the group pipelined. A key larger than the budget travels alone.
 *       Repeat for slots that may hold more, then confirm with {@code COUNTKEYSINSLOT};
 *   <li>wait until the target's online replicas have replicated up to the target's offset after the
 *       group's last MIGRATE (one {@code INFO replication} per poll), so a failover of the target
 *       right after the hand-over loses no key of the group;
 *   <li>{@code SETSLOT NODE target} on the target, then the source, then every other primary.
 * </ol>
 *
 * <p>Every command is idempotent, and the truth about an unfinished move lives in Redis (slots left
 * importing/migrating), so a process killed at any instant can be followed by the same migration: a
 * slot the target already owns is only finished. A key that exists on both sides (BUSYKEY) with the
 * same value (a retried MIGRATE) is replaced silently; with a different value the source's copy
 * wins, the conflict is reported and counted, and the target's copy is kept under a new name only
 * with {@link Options#keepConflictingCopies}. When opening a group fails, its slots are closed
 * again ({@code SETSLOT STABLE}) unless the target holds keys of them. When a MIGRATE fails for any
 * other reason (target out of memory, say) the pair stops; slots of its group that moved no key are
 * closed, slots fully moved are finished, a half-moved slot stays open (clients are still served
 * through ASK) and the error says so.
 */
public final class SlotMigrator {
  /** Tuning knobs; the defaults suit loopback and a LAN. */
  /**
   * Tuning knobs; the defaults suit loopback and a LAN.
   *
   * @param keepConflictingCopies when a key exists on both sides with different values, keep the
   *     target's copy under a new name (the source's copy always wins)
   * @param replicaWaitMillis how long to wait, per group, for the target's replicas to confirm the
   *     group's keys before the target is made the owner
   */
  public record Options(
      int slotsPerGroup,
      int keysPerScan,
      long batchBytes,
      int maxKeysPerBatch,
      int parallelism,
      int pairsPerSource,
      int pairsPerTarget,
      boolean keepConflictingCopies,
      long replicaWaitMillis) {
    public static final long DEFAULT_REPLICA_WAIT_MILLIS = 30_000;

    public Options(
        int slotsPerGroup,
        int keysPerScan,
        long batchBytes,
        int maxKeysPerBatch,
        int parallelism,
        int pairsPerSource,
        int pairsPerTarget) {
      this(
          slotsPerGroup,
          keysPerScan,
          batchBytes,
          maxKeysPerBatch,
          parallelism,
          pairsPerSource,
          pairsPerTarget,
          false,
          DEFAULT_REPLICA_WAIT_MILLIS);
    }

    public static Options defaults() {
      return new Options(128, 2000, 4L << 20, 2000, 4, 3, 3);
    }

    public Options withKeepConflictingCopies(boolean keep) {
      return new Options(
          slotsPerGroup,
          keysPerScan,
          batchBytes,
          maxKeysPerBatch,
          parallelism,
          pairsPerSource,
          pairsPerTarget,
          keep,
          replicaWaitMillis);
    }

    public Options withReplicaWaitMillis(long millis) {
      return new Options(
          slotsPerGroup,
          keysPerScan,
          batchBytes,
          maxKeysPerBatch,
          parallelism,
          pairsPerSource,
          pairsPerTarget,
          keepConflictingCopies,
          millis);
    }
  }

  /**
   * What a migration did.
   *
   * @param conflicts keys that existed on both sides with different values (the source's won)
   */
  public record Result(int slots, long keys, long bytes, double seconds, long conflicts) {
    public Result(int slots, long keys, long bytes, double seconds) {
      this(slots, keys, bytes, seconds, 0);
    }

    public double keysPerSecond() {
      return seconds > 0 ? keys / seconds : 0;
    }
  }

  static final long MIGRATE_TIMEOUT_MILLIS = 60_000;

  private final NodeDirectory admin;
  private final Options options;
  private final MigrationListener listener;
  private final SlotMover busyResolver;
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();

  public SlotMigrator(NodeDirectory admin, Options options, MigrationListener listener) {
    this.admin = admin;
    this.options = options;
    this.listener = listener;
    this.busyResolver =
        new SlotMover(
            admin,
            listener::warning,
            options.keepConflictingCopies(),
            c -> {
              conflicts.incrementAndGet();
              listener.conflict(c);
            });
  }

  private record Pair(String sourceId, NodeAddress source, String targetId, NodeAddress target) {}

  /**
   * Moves every slot; {@code primaries} are all primaries of the cluster, each of which is told the
   * new owners.
   */
  public Result migrate(List<SlotMove> moves, Collection<NodeAddress> primaries) {
    long start = System.nanoTime();
    Map<Pair, List<Integer>> pairs = new LinkedHashMap<>();
    for (SlotMove m : moves) {
      pairs
          .computeIfAbsent(
              new Pair(m.sourceId(), m.source(), m.targetId(), m.target()), k -> new ArrayList<>())
          .add(m.slot());
    }
    List<Map.Entry<Pair, List<Integer>>> queue = new ArrayList<>(pairs.entrySet());
    queue.sort((a, b) -> Integer.compare(b.getValue().size(), a.getValue().size()));
    Scheduler scheduler = new Scheduler(queue);
    int threads = Math.max(1, Math.min(options.parallelism(), queue.size()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "slotwise-migrate");
              t.setDaemon(true);
              return t;
            });
    List<Future<?>> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      workers.add(
          pool.submit(
              () -> {
                Map.Entry<Pair, List<Integer>> job;
                while ((job = scheduler.next()) != null) {
                  try {
                    movePair(job.getKey(), job.getValue(), primaries);
                  } catch (RuntimeException e) {
                    scheduler.fail(e);
                  } finally {
                    scheduler.release(job);
                  }
                }
                return null;
              }));
    }
    try {
      for (Future<?> f : workers) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new MigrationException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    if (scheduler.failure != null) {
      RuntimeException f = scheduler.failure;
      throw f instanceof MigrationException m ? m : new MigrationException(f.getMessage(), f);
    }
    return new Result(
        moves.size(), keys.get(), bytes.get(), (System.nanoTime() - start) / 1e9, conflicts.get());
  }

  /** Hands out pairs so that no two running pairs share a source and few share a target. */
  private final class Scheduler {
    private final List<Map.Entry<Pair, List<Integer>>> waiting;
    private final Map<NodeAddress, Integer> sourceLoad = new HashMap<>();
    private final Map<NodeAddress, Integer> targetLoad = new HashMap<>();
    private volatile RuntimeException failure;

    Scheduler(List<Map.Entry<Pair, List<Integer>>> waiting) {
      this.waiting = new ArrayList<>(waiting);
    }

    synchronized Map.Entry<Pair, List<Integer>> next() throws InterruptedException {
      while (true) {
        if (failure != null || waiting.isEmpty()) {
          return null;
        }
        for (Iterator<Map.Entry<Pair, List<Integer>>> it = waiting.iterator(); it.hasNext(); ) {
          Map.Entry<Pair, List<Integer>> e = it.next();
          Pair p = e.getKey();
          if (sourceLoad.getOrDefault(p.source(), 0) < options.pairsPerSource()
              && targetLoad.getOrDefault(p.target(), 0) < options.pairsPerTarget()) {
            it.remove();
            sourceLoad.merge(p.source(), 1, Integer::sum);
            targetLoad.merge(p.target(), 1, Integer::sum);
            return e;
          }
        }
        wait();
      }
    }

    synchronized void release(Map.Entry<Pair, List<Integer>> e) {
      sourceLoad.merge(e.getKey().source(), -1, Integer::sum);
      targetLoad.merge(e.getKey().target(), -1, Integer::sum);
      notifyAll();
    }

    synchronized void fail(RuntimeException e) {
      if (failure == null) {
        failure = e;
      }
      notifyAll();
    }
  }

  private void movePair(Pair pair, List<Integer> slots, Collection<NodeAddress> primaries) {
    Map<NodeAddress, SlotPipeline> others = new HashMap<>();
    try (SlotPipeline src = admin.pipeline(pair.source());
        SlotPipeline dst = admin.pipeline(pair.target())) {
      for (NodeAddress a : primaries) {
        if (!a.equals(pair.source()) && !a.equals(pair.target())) {
          try {
            others.put(a, admin.pipeline(a));
          } catch (RedisAdminException e) {
            listener.warning(
                "cannot tell "
                    + a
                    + " about new slot owners ("
                    + e.getMessage()
                    + "); gossip will");
          }
        }
      }
      List<Reply<String>> told = new ArrayList<>();
      // Drained groups are handed over together, after one wait for the target's replicas: they
      // acknowledge about once a second, so a wait per group would cost up to a second each.
      List<Drained> drained = new ArrayList<>();
      long since = System.nanoTime();
      try {
        for (int i = 0; i < slots.size(); i += options.slotsPerGroup()) {
          List<Integer> group =
              slots.subList(i, Math.min(slots.size(), i + options.slotsPerGroup()));
          drained.add(moveGroup(pair, group, src, dst));
          if (System.nanoTime() - since >= HAND_OVER_EVERY_MILLIS * 1_000_000) {
            handOver(pair, drained, src, dst, others.values(), told);
            drained.clear();
            since = System.nanoTime();
          }
        }
      } catch (RuntimeException e) {
        // Groups drained before the failure are finished; the failed one was settled already.
        try {
          handOver(pair, drained, src, dst, others.values(), told);
        } catch (RuntimeException h) {
          e.addSuppressed(h);
        }
        throw e;
      }
      handOver(pair, drained, src, dst, others.values(), told);
      for (Reply<String> r : told) {
        RedisAdminException err = r.failure();
        if (err != null && !err.is(RedisErrorKind.ONLY_WITH_MASTERS)) {
          listener.warning(
              "could not tell every primary about new slot owners ("
                  + err.getMessage()
                  + "); gossip will");
          break;
        }
      }
    } finally {
      others.values().forEach(SlotPipeline::close);
    }
  }

  /**
   * A group whose keys are all on the target: {@code drained} were moved, {@code all} to assign.
   */
  private record Drained(List<Integer> drained, List<Integer> all) {}

  static final long HAND_OVER_EVERY_MILLIS = 3000;

  /** Opens a group of slots on both sides and moves their keys; the hand-over comes later. */
  private Drained moveGroup(Pair pair, List<Integer> group, SlotPipeline src, SlotPipeline dst) {
    List<Reply<String>> importing = setSlots(group, s -> dst.setSlotImporting(s, pair.sourceId()));
    List<Integer> toDrain = new ArrayList<>();
    List<Integer> owned = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      RedisAdminException err = importing.get(i).failure();
      if (err == null) {
        toDrain.add(group.get(i));
      } else if (err.is(RedisErrorKind.ERR_NOT_OWNER)) {
        // IMPORTING is refused only to the owner: a crash struck after the target took it.
        owned.add(group.get(i));
      } else {
        // Slots of the group opened on the target before this one close again.
        closeImporting(toDrain, dst);
        throw new MigrationException(
            "cannot open slot " + group.get(i) + " on " + pair.target() + ": " + err.getMessage(),
            err);
      }
    }
    List<Reply<String>> migrating =
        setSlots(toDrain, s -> src.setSlotMigrating(s, pair.targetId()));
    RedisAdminException refused = null;
    int refusedSlot = -1;
    List<Integer> opened = new ArrayList<>();
    for (int i = 0; i < toDrain.size(); i++) {
      RedisAdminException err = migrating.get(i).failure();
      if (err == null) {
        opened.add(toDrain.get(i));
      } else if (refused == null) {
        refused = err;
        refusedSlot = toDrain.get(i);
      }
    }
    if (refused != null) {
      // Roll the whole group back: no key has moved in this run, and a slot that holds keys on
      // the target from an earlier run stays open for the next run to finish.
      List<Integer> notOpened = new ArrayList<>(toDrain);
      notOpened.removeAll(opened);
      closeImporting(notOpened, dst);
      settleAfterFailure(pair, opened, src, dst);
      throw new MigrationException(
          "cannot open slot "
              + refusedSlot
              + " on "
              + pair.source()
              + ": "
              + refused.getMessage()
              + "; the other slots of its group were closed again",
          refused);
    }
    listener.opened(group.size());
    try {
      drain(pair, toDrain, src, dst);
    } catch (RuntimeException e) {
      settleAfterFailure(pair, toDrain, src, dst);
      throw e instanceof MigrationException m ? m : new MigrationException(e.getMessage(), e);
    }
    List<Integer> all = new ArrayList<>(toDrain);
    all.addAll(owned);
    return new Drained(toDrain, all);
  }

  /**
   * Assigns drained groups to the target: once the target's replicas have their keys, {@code
   * SETSLOT NODE} on the target, then the source, then (without waiting) every other primary.
   */
  private void handOver(
      Pair pair,
      List<Drained> groups,
      SlotPipeline src,
      SlotPipeline dst,
      Collection<SlotPipeline> others,
      List<Reply<String>> told) {
    List<Integer> moved = new ArrayList<>();
    groups.forEach(g -> moved.addAll(g.drained()));
    if (!moved.isEmpty()) {
      awaitReplicas(pair, moved);
    }
    for (Drained g : groups) {
      assign(pair, g.drained(), g.all(), src, dst, others, told);
    }
  }

  private void assign(
      Pair pair,
      List<Integer> toDrain,
      List<Integer> all,
      SlotPipeline src,
      SlotPipeline dst,
      Collection<SlotPipeline> others,
      List<Reply<String>> told) {
    SlotPipeline.await(setSlots(toDrain, s -> dst.setSlotNode(s, pair.targetId())));
    List<Reply<String>> onSource = new ArrayList<>();
    for (int s : all) {
      onSource.add(src.setSlotNode(s, pair.targetId()));
    }
    RedisAdminException unsettled = null;
    for (Reply<String> r : onSource) {
      RedisAdminException err = r.failure();
      // A primary that lost its last slot turns itself into a replica of the new owner as soon as
      // gossip tells it; it then knows the owner already (see settledOnSourceAfterHandOver).
      if (err != null && !err.kind().settledOnSourceAfterHandOver() && unsettled == null) {
        unsettled = err;
      }
    }
    // Valkey 8 closes the connection after UNBLOCKED, so the commands pipelined behind it fail
    // unanswered; a source that is a replica now owns nothing, and has nothing left to hand over.
    if (unsettled != null && !isReplicaNow(pair.source())) {
      throw new MigrationException(
          "cannot finish moving slots to "
              + pair.target()
              + " on "
              + pair.source()
              + ": "
              + unsettled.getMessage(),
          unsettled);
    }
    // The other primaries learn the new owners without making this pair wait: they may be busy
    // with other pairs' MIGRATEs, and gossip would tell them anyway. Replies are checked later.
    for (SlotPipeline o : others) {
      for (int s : all) {
        told.add(o.setSlotNode(s, pair.targetId()));
      }
      o.flush();
    }
    listener.slotsDone(all.size());
  }

  /**
   * Issues one {@code SETSLOT} per slot, pipelined, and issues again those answered {@code
   * NOREPLICAS}: Valkey 8 first waits (2 s) for the node's replicas to take the command and, when
   * they do not, applies nothing. Gives up after {@link Options#replicaWaitMillis}, returning the
   * last replies.
   */
  private List<Reply<String>> setSlots(List<Integer> slots, IntFunction<Reply<String>> setSlot) {
    List<Reply<String>> replies = new ArrayList<>(slots.size());
    for (int s : slots) {
      replies.add(setSlot.apply(s));
    }
    long deadline = System.nanoTime() + options.replicaWaitMillis() * 1_000_000;
    while (true) {
      List<Integer> again = new ArrayList<>();
      for (int i = 0; i < slots.size(); i++) {
        RedisAdminException err = replies.get(i).failure();
        if (err != null && err.is(RedisErrorKind.NOREPLICAS)) {
          again.add(i);
        }
      }
      if (again.isEmpty() || System.nanoTime() > deadline) {
        return replies;
      }
      for (int i : again) {
        replies.set(i, setSlot.apply(slots.get(i)));
      }
    }
  }

  private boolean isReplicaNow(NodeAddress node) {
    try {
      return "slave".equals(admin.node(node).info("replication").get("role"));
    } catch (RedisAdminException e) {
      return false;
    }
  }

  /**
   * Waits until every online replica of the target has replicated up to the target's offset after
   * the group's last MIGRATE, so a failover of the target right after the hand-over loses none of
   * the group's keys. One {@code INFO replication} per poll, per group. A replica that is still in
   * its initial sync gets the keys with its snapshot. On timeout the group's slots stay open
   * (clients are served through ASK) and the migration stops.
   */
  private void awaitReplicas(Pair pair, List<Integer> slots) {
    NodeClient target = admin.node(pair.target());
    Map<String, String> repl = target.info("replication");
    long offset = Long.parseLong(repl.getOrDefault("master_repl_offset", "0"));
    long deadline = System.nanoTime() + options.replicaWaitMillis() * 1_000_000;
    while (true) {
      List<String> behind = replicasBehind(repl, offset);
      if (behind.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new MigrationException(
            "replicas "
                + behind
                + " of "
                + pair.target()
                + " did not confirm the keys of slots "
                + slots.get(0)
                + (slots.size() > 1 ? ".." + slots.get(slots.size() - 1) : "")
                + " within "
                + options.replicaWaitMillis()
                + " ms; the slots stay open (clients are served) and the next run finishes them",
            null);
      }
      try {
        Thread.sleep(REPLICA_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MigrationException("interrupted while waiting for replicas", e);
      }
      repl = target.info("replication");
    }
  }

  static final long REPLICA_POLL_MILLIS = 5;

  /** Online replicas (as {@code ip:port}) whose acknowledged offset is below {@code offset}. */
  static List<String> replicasBehind(Map<String, String> replication, long offset) {
    List<String> behind = new ArrayList<>();
    for (Map.Entry<String, String> e : replication.entrySet()) {
      if (!e.getKey().matches("slave\\d+")) {
        continue;
      }
      Map<String, String> f = new HashMap<>();
      for (String kv : e.getValue().split(",")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      if ("online".equals(f.get("state"))
          && Long.parseLong(f.getOrDefault("offset", "0")) < offset) {
        behind.add(f.get("ip") + ":" + f.get("port"));
      }
    }
    return behind;
  }

  /** Closes slots opened on the target only, unless the target already holds keys of them. */
  private static void closeImporting(List<Integer> slots, SlotPipeline dst) {
    List<Reply<Long>> counts = new ArrayList<>();
    for (int s : slots) {
      counts.add(dst.countKeysInSlot(s));
    }
    List<Reply<String>> closed = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      Reply<Long> c = counts.get(i);
      if (c.failure() == null && c.get() == 0) {
        closed.add(dst.setSlotStable(slots.get(i)));
      }
    }
    closed.forEach(Reply::failure);
  }

  private record Batch(int slot, List<byte[]> keys, long bytes) {}

  private void drain(Pair pair, List<Integer> slots, SlotPipeline src, SlotPipeline dst) {
    List<Integer> pending = slots;
    while (!pending.isEmpty()) {
      List<List<byte[]>> keysBySlot =
          SlotPipeline.each(pending, s -> src.keysInSlot(s, options.keysPerScan()));
      List<Reply<List<Object>>> cuts = new ArrayList<>();
      for (List<byte[]> ks : keysBySlot) {
        cuts.add(
            ks.isEmpty()
                ? null
                : src.batchCuts(ks, options.batchBytes(), options.maxKeysPerBatch()));
      }
      List<Batch> batches = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        if (cuts.get(i) != null) {
          batches.addAll(batches(pending.get(i), keysBySlot.get(i), cuts.get(i), src));
        }
      }
      List<Reply<String>> replies = new ArrayList<>();
      for (Batch b : batches) {
        replies.add(src.migrate(pair.target(), b.keys(), false, MIGRATE_TIMEOUT_MILLIS));
      }
      Set<Integer> again = new java.util.TreeSet<>();
      List<Batch> busy = new ArrayList<>();
      RuntimeException failure = null;
      for (int i = 0; i < batches.size(); i++) {
        Batch b = batches.get(i);
        RedisAdminException err = replies.get(i).failure();
        if (err == null) {
          keys.addAndGet(b.keys().size());
          bytes.addAndGet(b.bytes());
          listener.moved(b.keys().size(), b.bytes());
        } else if (err.is(RedisErrorKind.BUSYKEY)) {
          busy.add(b);
        } else if (failure == null) {
          failure =
              new MigrationException(
                  "moving slot "
                      + b.slot()
                      + " from "
                      + pair.source()
                      + " to "
                      + pair.target()
                      + " stopped: "
                      + err.getMessage(),
                  err);
        }
      }
      if (failure != null) {
        throw failure;
      }
      // Only now, with every MIGRATE of the round answered, can a batch's leftovers be judged.
      for (Batch b : busy) {
        long n =
            busyResolver.resolveBusyKeys(
                b.slot(), admin.node(pair.source()), admin.node(pair.target()), b.keys());
        keys.addAndGet(n);
        listener.moved(n, b.bytes());
        again.add(b.slot());
      }
      for (int i = 0; i < pending.size(); i++) {
        if (keysBySlot.get(i).size() >= options.keysPerScan()) {
          again.add(pending.get(i));
        }
      }
      if (again.isEmpty()) {
        List<Long> counts = SlotPipeline.each(slots, s -> src.countKeysInSlot(s));
        for (int i = 0; i < slots.size(); i++) {
          if (counts.get(i) > 0) {
            again.add(slots.get(i));
          }
        }
      }
      pending = new ArrayList<>(again);
    }
  }

  /**
   * The MIGRATE batches of one slot's keys, from the script's cuts; when the script was refused (a
   * key vanished mid-move: TRYAGAIN), from per-key {@code MEMORY USAGE}.
   */
  private List<Batch> batches(
      int slot, List<byte[]> keys, Reply<List<Object>> cuts, SlotPipeline src) {
    List<Batch> out = new ArrayList<>();
    if (cuts.error() == null) {
      List<Object> flat = cuts.get();
      int start = 0;
      for (int j = 0; j + 1 < flat.size(); j += 2) {
        int end = ((Long) flat.get(j)).intValue();
        out.add(new Batch(slot, keys.subList(start, end), (Long) flat.get(j + 1)));
        start = end;
      }
      return out;
    }
    List<Reply<Long>> sizes = new ArrayList<>();
    for (byte[] k : keys) {
      sizes.add(src.memoryUsage(k));
    }
    List<byte[]> current = new ArrayList<>();
    long currentBytes = 0;
    for (int k = 0; k < keys.size(); k++) {
      // A key that expired or was deleted meanwhile answers ASK here: it weighs nothing.
      Reply<Long> r = sizes.get(k);
      Long v = r.error() == null ? r.get() : null;
      long size = v == null ? 0 : v;
      if (!current.isEmpty()
          && (currentBytes + size > options.batchBytes()
              || current.size() >= options.maxKeysPerBatch())) {
        out.add(new Batch(slot, current, currentBytes));
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(keys.get(k));
      currentBytes += size;
    }
    if (!current.isEmpty()) {
      out.add(new Batch(slot, current, currentBytes));
    }
    return out;
  }

  /**
   * After a failed drain: slots that moved no key are closed, slots already empty on the source are
   * finished, the rest stay open and are named.
   */
  private void settleAfterFailure(
      Pair pair, List<Integer> slots, SlotPipeline src, SlotPipeline dst) {
    List<Integer> open = new ArrayList<>();
    for (int s : slots) {
      try {
        if (src.countKeysInSlot(s).get() == 0) {
          dst.setSlotNode(s, pair.targetId()).get();
          src.setSlotNode(s, pair.targetId()).get();
        } else if (dst.countKeysInSlot(s).get() == 0) {
          // Close the target first: from then on it answers MOVED instead of accepting writes
          // sent by ASK. Only if it still holds nothing may the source close too.
          dst.setSlotStable(s).get();
          if (dst.countKeysInSlot(s).get() == 0) {
            src.setSlotStable(s).get();
          } else {
            dst.setSlotImporting(s, pair.sourceId()).get();
            open.add(s);
          }
        } else {
          open.add(s);
        }
      } catch (RedisAdminException e) {
        open.add(s);
      }
    }
    if (!open.isEmpty()) {
      listener.warning(
          "slots "
              + open
              + " are left migrating from "
              + pair.source()
              + " to "
              + pair.target()
              + "; clients are still served and no key is lost. Fix the cause, then run the same command again or 'slotwise cluster fix'.");
    }
  }
}
