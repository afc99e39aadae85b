package io.slotwise.engine.migrate;

import io.slotwise.engine.execute.SlotMover;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.redis.SlotPipeline.Reply;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

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
 *       key cap), sent with at most a budget's worth of bytes unanswered. The budget adapts so that
 *       one MIGRATE blocks the source for {@link Options#migrateMillis} or less ({@link
 *       MigrateBudget}): clients of the source and the target wait behind no more than that. A key
 *       larger than the budget travels alone. Repeat for slots that may hold more, then confirm
 *       with {@code COUNTKEYSINSLOT};
 *   <li>once the target's online replicas have replicated up to the target's offset after the
 *       group's last MIGRATE (asked directly, they answer at once; judged by their acknowledgements
 *       otherwise), so a failover of the target right after the hand-over loses no key of the
 *       group, {@code SETSLOT NODE target} on the target, then the source, then every other
 *       primary. The next group drains meanwhile; a group waits for its hand-over at most {@link
 *       #HAND_OVER_WAIT_AFTER_MILLIS} before the pair stops to wait for the replicas.
 * </ol>
 *
 * <p>A node that holds each {@code SETSLOT} until its replicas have it (Valkey 8) gets a group's
 * SETSLOTs spread over several connections, so that their waits overlap ({@link SetSlotLanes}); a
 * step of a group is sent only once the step before it has been answered for every slot of the
 * group, on whichever connection it went. Such a source is not sent the {@code SETSLOT NODE} that
 * would take its last slot (see {@link #keepsSlotsWithout}): the target announces the slot.
 *
 * <p>Slots are open (clients meet ASK, and TRYAGAIN for multi-key commands) from their group's
 * opening until its hand-over: about the time the group's keys take to move.
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
  /**
   * Tuning knobs; the defaults suit loopback and a LAN.
   *
   * @param batchBytes the largest byte budget of one MIGRATE (and of the MIGRATEs in flight on one
   *     connection); with {@code migrateMillis} 0 the budget is this, fixed
   * @param keepConflictingCopies when a key exists on both sides with different values, keep the
   *     target's copy under a new name (the source's copy always wins)
   * @param replicaWaitMillis how long to wait, per group, for the target's replicas to confirm the
   *     group's keys before the target is made the owner
   * @param migrateMillis how long one MIGRATE may block the source: the byte budget adapts to keep
   *     each between half this and this (see {@link MigrateBudget}); 0 keeps {@code batchBytes}
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
      long replicaWaitMillis,
      long migrateMillis) {
    public static final long DEFAULT_REPLICA_WAIT_MILLIS = 30_000;
    public static final long DEFAULT_MIGRATE_MILLIS = 10;
    public static final int DEFAULT_SLOTS_PER_GROUP = 64;

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
          DEFAULT_REPLICA_WAIT_MILLIS,
          DEFAULT_MIGRATE_MILLIS);
    }

    /**
     * The defaults. At most two pairs share a node: a MIGRATE holds its source until the target has
     * restored every key, so with three sources feeding one target (or three targets fed by one
     * source) each source waits behind the others' batches, and its clients with it: on the
     * benchmark's machine the slowest client request halved, and the move took as long.
     */
    public static Options defaults() {
      return new Options(DEFAULT_SLOTS_PER_GROUP, 2000, 4L << 20, 2000, 4, 2, 2);
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
          replicaWaitMillis,
          migrateMillis);
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
          millis,
          migrateMillis);
    }

    /**
     * The same options with MIGRATEs aimed at {@code millis} each (0: fixed {@code batchBytes}).
     */
    public Options withMigrateMillis(long millis) {
      return new Options(
          slotsPerGroup,
          keysPerScan,
          batchBytes,
          maxKeysPerBatch,
          parallelism,
          pairsPerSource,
          pairsPerTarget,
          keepConflictingCopies,
          replicaWaitMillis,
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
    queue = halves(queue);
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

  /**
   * Each pair's slots as two jobs (when they make two groups or more), every pair's first half
   * before any second half. At most {@link Options#pairsPerTarget} pairs share a node, so with
   * whole pairs as jobs three sources feeding one target would run two at a time and then the third
   * alone; with halves the node is shared by two pairs until the last quarter or so.
   */
  private List<Map.Entry<Pair, List<Integer>>> halves(List<Map.Entry<Pair, List<Integer>>> pairs) {
    List<Map.Entry<Pair, List<Integer>>> first = new ArrayList<>();
    List<Map.Entry<Pair, List<Integer>>> second = new ArrayList<>();
    for (Map.Entry<Pair, List<Integer>> e : pairs) {
      List<Integer> slots = e.getValue();
      int groups = (slots.size() + options.slotsPerGroup() - 1) / options.slotsPerGroup();
      if (groups < 2) {
        first.add(e);
        continue;
      }
      int cut = (groups / 2) * options.slotsPerGroup();
      first.add(Map.entry(e.getKey(), slots.subList(0, cut)));
      second.add(Map.entry(e.getKey(), slots.subList(cut, slots.size())));
    }
    first.addAll(second);
    return first;
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

  /** How many SETSLOT lanes each node gets (see {@link SetSlotLanes}), asked once per node. */
  private final Map<NodeAddress, Integer> laneCounts = new ConcurrentHashMap<>();

  private int laneCount(NodeAddress node) {
    return laneCounts.computeIfAbsent(
        node,
        a -> {
          try {
            return SetSlotLanes.holdsSetSlot(admin.node(a).info("server"))
                ? SetSlotLanes.LANES_WHEN_HELD
                : 1;
          } catch (RuntimeException e) {
            // Its pipeline's commands will say what is wrong; one lane is the plain way.
            return 1;
          }
        });
  }

  /** The SETSLOT lanes to a node: its pipeline {@code own} alone, or dedicated ones. */
  private SetSlotLanes lanes(NodeAddress node, SlotPipeline own) {
    int n = laneCount(node);
    return n == 1 ? SetSlotLanes.single(admin, own) : SetSlotLanes.dedicated(admin, node, n);
  }

  /** The pipelines and SETSLOT lanes a pair holds while it runs. */
  private static final class Lanes implements AutoCloseable {
    SetSlotLanes src;
    SetSlotLanes dst;
    final Map<NodeAddress, SetSlotLanes> others = new LinkedHashMap<>();
    final List<SlotPipeline> pipelines = new ArrayList<>();

    @Override
    public void close() {
      for (SetSlotLanes l : others.values()) {
        l.close();
      }
      if (src != null) {
        src.close();
      }
      if (dst != null) {
        dst.close();
      }
      pipelines.forEach(SlotPipeline::close);
    }
  }

  private void movePair(Pair pair, List<Integer> slots, Collection<NodeAddress> primaries) {
    MigrateBudget budget = MigrateBudget.aimingAt(options.migrateMillis(), options.batchBytes());
    ReplicaProgress replicas = new ReplicaProgress(pair.target(), pair.targetId());
    try (SlotPipeline src = admin.pipeline(pair.source());
        SlotPipeline dst = admin.pipeline(pair.target());
        Lanes lanes = new Lanes()) {
      lanes.src = lanes(pair.source(), src);
      lanes.dst = lanes(pair.target(), dst);
      for (NodeAddress a : primaries) {
        if (!a.equals(pair.source()) && !a.equals(pair.target())) {
          try {
            if (laneCount(a) == 1) {
              SlotPipeline p = admin.pipeline(a);
              lanes.pipelines.add(p);
              lanes.others.put(a, SetSlotLanes.single(admin, p));
            } else {
              lanes.others.put(a, SetSlotLanes.dedicated(admin, a, laneCount(a)));
            }
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
      // A drained group is handed over as soon as the target's replicas have its keys. Asked
      // directly, replicas confirm within milliseconds, so a slot stays open about as long as its
      // group's keys take to move; groups drained meanwhile wait their turn, in order.
      List<Drained> drained = new ArrayList<>();
      try {
        for (int i = 0; i < slots.size(); i += options.slotsPerGroup()) {
          List<Integer> group =
              slots.subList(i, Math.min(slots.size(), i + options.slotsPerGroup()));
          Drained d = moveGroup(pair, group, src, dst, lanes, budget);
          drained.add(d.at(replicas.offsetNow(), System.nanoTime()));
          boolean overdue =
              System.nanoTime() - drained.get(0).since() >= HAND_OVER_WAIT_AFTER_MILLIS * 1_000_000;
          handOver(pair, drained, replicas, overdue, lanes, told);
        }
      } catch (RuntimeException e) {
        // Groups drained before the failure are finished; the failed one was settled already.
        try {
          handOver(pair, drained, replicas, true, lanes, told);
        } catch (RuntimeException h) {
          e.addSuppressed(h);
        }
        throw e;
      }
      handOver(pair, drained, replicas, true, lanes, told);
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
    }
  }

  /**
   * A group whose keys are all on the target: {@code drained} were moved, {@code all} to assign;
   * {@code offset} is the target's replication offset once they were there, {@code since} when.
   */
  private record Drained(List<Integer> drained, List<Integer> all, long offset, long since) {
    Drained at(long offset, long since) {
      return new Drained(drained, all, offset, since);
    }
  }

  /**
   * Groups wait at most this long for their hand-over before the pair stops draining until the
   * target's replicas confirm them (replicas that cannot be asked directly confirm once a second).
   */
  static final long HAND_OVER_WAIT_AFTER_MILLIS = 1000;

  /** Opens a group of slots on both sides and moves their keys; the hand-over comes later. */
  private Drained moveGroup(
      Pair pair,
      List<Integer> group,
      SlotPipeline src,
      SlotPipeline dst,
      Lanes lanes,
      MigrateBudget budget) {
    List<Reply<String>> importing = setSlots(group, lanes.dst, "IMPORTING", pair.sourceId());
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
        // Slots of the group opened on the target close again, after this one too: every reply
        // has arrived.
        List<Integer> opened = new ArrayList<>();
        for (int j = 0; j < group.size(); j++) {
          if (importing.get(j).failure() == null) {
            opened.add(group.get(j));
          }
        }
        closeImporting(opened, dst);
        throw new MigrationException(
            "cannot open slot " + group.get(i) + " on " + pair.target() + ": " + err.getMessage(),
            err);
      }
    }
    List<Reply<String>> migrating = setSlots(toDrain, lanes.src, "MIGRATING", pair.targetId());
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
      drain(pair, toDrain, src, dst, budget);
    } catch (RuntimeException e) {
      settleAfterFailure(pair, toDrain, src, dst);
      throw e instanceof MigrationException m ? m : new MigrationException(e.getMessage(), e);
    }
    List<Integer> all = new ArrayList<>(toDrain);
    all.addAll(owned);
    return new Drained(toDrain, all, 0, 0);
  }

  /**
   * Assigns to the target the drained groups its replicas have confirmed, oldest first, and removes
   * them from {@code groups}: {@code SETSLOT NODE} on the target, then the source, then (without
   * waiting) every other primary. With {@code wait}, first waits until the replicas confirm them
   * all.
   */
  private void handOver(
      Pair pair,
      List<Drained> groups,
      ReplicaProgress replicas,
      boolean wait,
      Lanes lanes,
      List<Reply<String>> told) {
    if (groups.isEmpty()) {
      return;
    }
    long newest = groups.get(groups.size() - 1).offset();
    long confirmed = wait ? replicas.await(newest, groups) : replicas.confirmed(newest);
    while (!groups.isEmpty() && groups.get(0).offset() <= confirmed) {
      Drained g = groups.remove(0);
      assign(pair, g.drained(), g.all(), lanes, told);
    }
  }

  private void assign(
      Pair pair, List<Integer> toDrain, List<Integer> all, Lanes lanes, List<Reply<String>> told) {
    boolean holds = laneCount(pair.source()) > 1;
    Set<Integer> begun =
        holds ? handOversBegun.computeIfAbsent(pair.source(), k -> new HashSet<>()) : null;
    if (holds) {
      synchronized (begun) {
        begun.addAll(all);
      }
    }
    SlotPipeline.await(setSlots(toDrain, lanes.dst, "NODE", pair.targetId()));
    RedisAdminException unsettled;
    if (holds) {
      // Decided and answered under the source's lock: no other pair's target may take the
      // source's other slots while this SETSLOT is on its way to the source's replicas.
      synchronized (begun) {
        unsettled = keepsSlotsWithout(pair.source(), begun) ? tellSource(pair, all, lanes) : null;
      }
    } else {
      unsettled = tellSource(pair, all, lanes);
    }
    // Valkey 8 closes the connection after UNBLOCKED, so the commands pipelined behind it fail
    // unanswered (and those held on other lanes are let go with UNBLOCKED too); a source that is a
    // replica now owns nothing, and has nothing left to hand over.
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
    for (SetSlotLanes o : lanes.others.values()) {
      told.addAll(o.issue(all, "NODE", pair.targetId()));
    }
    listener.slotsDone(all.size());
  }

  /**
   * {@code SETSLOT NODE target} on the source; returns the first error that does not mean the
   * source knows the new owner already.
   */
  private RedisAdminException tellSource(Pair pair, List<Integer> all, Lanes lanes) {
    List<Reply<String>> onSource = lanes.src.issue(all, "NODE", pair.targetId());
    RedisAdminException unsettled = null;
    for (Reply<String> r : onSource) {
      RedisAdminException err = r.failure();
      // A primary that lost its last slot turns itself into a replica of the new owner as soon as
      // gossip tells it; it then knows the owner already (see settledOnSourceAfterHandOver).
      if (err != null && !err.kind().settledOnSourceAfterHandOver() && unsettled == null) {
        unsettled = err;
      }
    }
    return unsettled;
  }

  /**
   * Per source that holds SETSLOT until its replicas have it (Valkey 8): the slots whose hand-over
   * to a target has begun, in any pair. Guarded by itself.
   */
  private final Map<NodeAddress, Set<Integer>> handOversBegun = new ConcurrentHashMap<>();

  /**
   * Whether the source still owns a slot outside {@code begun}: whether a {@code SETSLOT NODE} sent
   * to it now leaves it a slot. The one that would take its last slot is not sent. Valkey 8
   * replicates that SETSLOT to the source's replicas first, and a replica that applies it makes
   * itself a replica of the new owner from inside its replication stream: Valkey 8.0 then starts
   * the sync with the new primary twice, and the stale attempt blocks the replica in a synchronous
   * read for 5 s (its replication handshake timeout), answering nothing, not even {@code CLUSTER
   * NODES}: the agreement wait after the move waited for it. Untold, the source and its replicas
   * learn the owner from the target, which announces each slot it takes to every node at once, and
   * follow it by gossip, which does not trip over this.
   */
  private boolean keepsSlotsWithout(NodeAddress source, Set<Integer> begun) {
    try {
      for (NodeRecord rec : NodeRecord.parseAll(admin.node(source).clusterNodes())) {
        if (rec.myself()) {
          return rec.primary()
              && java.util.Arrays.stream(rec.slots().toArray()).anyMatch(s -> !begun.contains(s));
        }
      }
      return true;
    } catch (RuntimeException e) {
      // Telling it is the plain protocol; its reply says what is wrong.
      return true;
    }
  }

  static final long REPLICA_POLL_MILLIS = 5;

  /**
   * Issues one {@code SETSLOT} per slot over the node's lanes, pipelined, waits for every reply,
   * and issues again those answered {@code NOREPLICAS}: Valkey 8 first waits (2 s) for the node's
   * replicas to take the command and, when they do not, applies nothing. Gives up after {@link
   * Options#replicaWaitMillis}, returning the last replies.
   */
  private List<Reply<String>> setSlots(
      List<Integer> slots, SetSlotLanes lanes, String state, String nodeId) {
    List<Reply<String>> replies = new ArrayList<>(lanes.issue(slots, state, nodeId));
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
      List<Reply<String>> retried =
          lanes.issue(again.stream().map(slots::get).toList(), state, nodeId);
      for (int j = 0; j < again.size(); j++) {
        replies.set(again.get(j), retried.get(j));
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
   * How far the target's online replicas have replicated, so that a group is handed over only once
   * a failover of the target right after the hand-over would lose none of its keys. The target's
   * own {@code INFO replication} knows what each replica acknowledged, but replicas acknowledge
   * once a second; a replica asked directly tells its offset now. A replica that cannot be asked
   * (unreachable from here, or following another history) is judged by its acknowledgements. A
   * replica still in its initial sync gets the keys with its snapshot and is not waited for.
   */
  private final class ReplicaProgress {
    private final NodeAddress target;
    private final String targetId;
    private Map<String, String> info = Map.of();
    private final Set<NodeAddress> notAskable = new java.util.HashSet<>();
    private List<NodeAddress> members;

    ReplicaProgress(NodeAddress target, String targetId) {
      this.target = target;
      this.targetId = targetId;
    }

    /** The target's replication offset now; also refreshes what its replicas acknowledged. */
    long offsetNow() {
      info = admin.node(target).info("replication");
      return Long.parseLong(info.getOrDefault("master_repl_offset", "0"));
    }

    /** The offset every online replica has reached, asking directly those that seem behind. */
    long confirmed(long needed) {
      long least = Long.MAX_VALUE;
      for (Replica r : replicas(info)) {
        long offset = r.acked();
        if (offset < needed) {
          offset = Math.max(offset, askDirectly(r.address()));
        }
        least = Math.min(least, offset);
      }
      return least;
    }

    /**
     * Where Slotwise reaches the replica that the target lists at {@code listed}: the address it
     * replicates from (listed) is not always one it listens on (replicas connect from 127.0.0.1 on
     * loopback), so the target's replicas as the cluster knows them are matched by address, else by
     * port when only one has it.
     */
    private NodeAddress reachable(NodeAddress listed) {
      if (members == null) {
        members = new ArrayList<>();
        try {
          for (NodeRecord r : NodeRecord.parseAll(admin.node(target).clusterNodes())) {
            if (r.replica() && targetId.equals(r.primaryId()) && r.address() != null) {
              members.add(r.address());
            }
          }
        } catch (RuntimeException e) {
          // The replicas are judged by their acknowledgements, then.
        }
      }
      if (listed == null || members.contains(listed)) {
        return listed;
      }
      List<NodeAddress> samePort = members.stream().filter(m -> m.port() == listed.port()).toList();
      return samePort.size() == 1 ? samePort.get(0) : listed;
    }

    private long askDirectly(NodeAddress listed) {
      NodeAddress replica = reachable(listed);
      if (replica == null || notAskable.contains(replica)) {
        return -1;
      }
      try {
        Map<String, String> own = admin.node(replica).info("replication");
        String history = info.get("master_replid");
        if (history == null || !history.equals(own.get("master_replid"))) {
          notAskable.add(replica);
          return -1;
        }
        return Long.parseLong(own.getOrDefault("slave_repl_offset", "-1"));
      } catch (RedisAdminException | NumberFormatException e) {
        notAskable.add(replica);
        return -1;
      }
    }

    /**
     * Waits until the replicas have reached {@code needed}. On timeout the groups' slots stay open
     * (clients are served through ASK) and the migration stops.
     */
    long await(long needed, List<Drained> groups) {
      long deadline = System.nanoTime() + options.replicaWaitMillis() * 1_000_000;
      while (true) {
        long confirmed = confirmed(needed);
        if (confirmed >= needed) {
          return confirmed;
        }
        if (System.nanoTime() > deadline) {
          List<String> behind = new ArrayList<>();
          for (Replica r : replicas(info)) {
            if (Math.max(r.acked(), askDirectly(r.address())) < needed) {
              behind.add(r.address().toString());
            }
          }
          List<Integer> open = new ArrayList<>();
          groups.forEach(g -> open.addAll(g.drained()));
          open.sort(null);
          throw new MigrationException(
              "replicas "
                  + behind
                  + " of "
                  + target
                  + " did not confirm the keys of slots "
                  + open.get(0)
                  + (open.size() > 1 ? ".." + open.get(open.size() - 1) : "")
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
        offsetNow();
      }
    }
  }

  /** An online replica as its primary's {@code INFO replication} lists it. */
  record Replica(NodeAddress address, long acked) {}

  /** Online replicas in a primary's {@code INFO replication}, with the offset each acknowledged. */
  static List<Replica> replicas(Map<String, String> replication) {
    List<Replica> out = new ArrayList<>();
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
      if ("online".equals(f.get("state"))) {
        try {
          out.add(
              new Replica(
                  new NodeAddress(f.get("ip"), Integer.parseInt(f.get("port"))),
                  Long.parseLong(f.getOrDefault("offset", "0"))));
        } catch (RuntimeException malformed) {
          out.add(new Replica(null, Long.parseLong(f.getOrDefault("offset", "0"))));
        }
      }
    }
    return out;
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

  private void drain(
      Pair pair, List<Integer> slots, SlotPipeline src, SlotPipeline dst, MigrateBudget budget) {
    List<Integer> pending = slots;
    while (!pending.isEmpty()) {
      long cut = budget.bytes();
      List<Reply<SlotPipeline.Scan>> scans = new ArrayList<>();
      for (int s : pending) {
        scans.add(src.scan(s, options.keysPerScan(), cut, options.maxKeysPerBatch()));
      }
      List<List<byte[]>> keysBySlot = new ArrayList<>();
      List<Batch> batches = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        SlotPipeline.Scan scan =
            src.scanned(
                scans.get(i),
                pending.get(i),
                options.keysPerScan(),
                cut,
                options.maxKeysPerBatch());
        keysBySlot.add(scan.keys());
        if (!scan.keys().isEmpty()) {
          batches.addAll(batches(pending.get(i), scan.keys(), scan.cuts(), src, cut));
        }
      }
      Set<Integer> again = new java.util.TreeSet<>();
      List<Batch> busy = new ArrayList<>();
      RuntimeException failure = send(pair, batches, src, budget, busy);
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
        long[] counts = src.countKeysInSlots(slots.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < slots.size(); i++) {
          if (counts[i] > 0) {
            again.add(slots.get(i));
          }
        }
      }
      pending = new ArrayList<>(again);
    }
  }

  /**
   * Sends the MIGRATE batches with at most a budget's worth of bytes unanswered (at least one
   * batch), and tells the budget how long the source spent on each: from when it could start on it
   * (sent, and the one before answered) to its answer. Batches refused with BUSYKEY go to {@code
   * busy}; after any other refusal no further batch is sent, and the first such failure is returned
   * once every batch in flight has been answered.
   */
  private RuntimeException send(
      Pair pair, List<Batch> batches, SlotPipeline src, MigrateBudget budget, List<Batch> busy) {
    java.util.ArrayDeque<Integer> inFlight = new java.util.ArrayDeque<>();
    List<Reply<String>> replies =
        new ArrayList<>(java.util.Collections.nCopies(batches.size(), null));
    long[] sentAt = new long[batches.size()];
    long unanswered = 0;
    long lastAnswer = 0;
    int next = 0;
    RuntimeException failure = null;
    while (!inFlight.isEmpty() || (failure == null && next < batches.size())) {
      int first = next;
      while (failure == null
          && next < batches.size()
          && (inFlight.isEmpty()
              || !budget.adaptive()
              || unanswered + batches.get(next).bytes() <= budget.bytes())) {
        Batch b = batches.get(next);
        replies.set(next, src.migrate(pair.target(), b.keys(), false, MIGRATE_TIMEOUT_MILLIS));
        unanswered += b.bytes();
        inFlight.add(next);
        next++;
      }
      if (next > first) {
        src.flush();
        long now = System.nanoTime();
        for (int i = first; i < next; i++) {
          sentAt[i] = now;
        }
      }
      int i = inFlight.poll();
      Batch b = batches.get(i);
      Reply<String> reply = replies.get(i);
      RedisAdminException err = reply.failure();
      long answered = reply.answeredAt();
      unanswered -= b.bytes();
      if (err == null) {
        budget.record(b.bytes(), answered - Math.max(sentAt[i], lastAnswer));
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
      lastAnswer = answered;
    }
    return failure;
  }

  /**
   * The MIGRATE batches of one slot's keys, from the script's cuts; when the script was refused (a
   * key vanished mid-move: TRYAGAIN), from per-key {@code MEMORY USAGE}.
   */
  private List<Batch> batches(
      int slot, List<byte[]> keys, Reply<List<Object>> cuts, SlotPipeline src, long budget) {
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
          && (currentBytes + size > budget || current.size() >= options.maxKeysPerBatch())) {
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
