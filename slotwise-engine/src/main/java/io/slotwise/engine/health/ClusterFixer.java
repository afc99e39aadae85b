package io.slotwise.engine.health;

import io.slotwise.engine.execute.ConfigJournal;
import io.slotwise.engine.execute.OperationTimeoutException;
import io.slotwise.engine.execute.SlotMover;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.plan.RepairOptions;
import io.slotwise.engine.plan.RepairPlan;
import io.slotwise.engine.plan.RepairPlan.BumpEpoch;
import io.slotwise.engine.plan.RepairPlan.CoverSlots;
import io.slotwise.engine.plan.RepairPlan.DropHandshake;
import io.slotwise.engine.plan.RepairPlan.Forget;
import io.slotwise.engine.plan.RepairPlan.Promote;
import io.slotwise.engine.plan.RepairPlan.Repair;
import io.slotwise.engine.plan.RepairPlan.Replicate;
import io.slotwise.engine.plan.RepairPlan.SettleSlot;
import io.slotwise.engine.plan.RepairPlanner;
import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Repairs what {@link ClusterChecker} names, losing no key. Each pass observes the cluster, counts
 * the keys of every slot on every primary, asks {@link RepairPlanner} (pure) what to do, and runs
 * the repairs of the first stage that has any: a stage makes the next possible (served slots let
 * keys move; settled slots let nodes be forgotten), so after it the nodes are left to agree and the
 * next pass plans again from what Redis says now. A repair that fails is reported and the others go
 * on; it is tried again once something else succeeded. What the planner blocks (a node down or
 * unobservable that a repair depends on) is reported with the node and the reason.
 *
 * <p>While keys move and some slot is not served, nodes refuse MIGRATE ({@code CLUSTERDOWN}); the
 * fixer then sets {@code cluster-require-full-coverage no} on the reachable primaries for the stage
 * and puts back what it found afterwards.
 */
public final class ClusterFixer {
  static final int MAX_PASSES = 16;
  static final int MAX_RUNS_OF_ONE_REPAIR = 3;
  static final String FULL_COVERAGE = "cluster-require-full-coverage";

  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Waiter waiter;
  private final Consumer<String> log;
  private final SlotMover mover;
  private final ConfigJournal journal;

  public ClusterFixer(
      RedisAdmin admin, ClusterObserver observer, Waiter waiter, Consumer<String> log) {
    this(admin, observer, waiter, ConfigJournal.none(), log);
  }

  /**
   * @param journal where a setting changed for a stage is recorded first, so that a run killed
   *     before it restores the setting is followed by one that does ({@link ConfigJournal#restore})
   */
  public ClusterFixer(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      ConfigJournal journal,
      Consumer<String> log) {
    this.journal = journal;
    this.admin = admin;
    this.observer = observer;
    this.waiter = waiter;
    this.log = log;
    this.mover = new SlotMover(admin, log);
  }

  /**
   * The seeds without lone empty nodes (a node that knows only itself, owns no slot and holds no
   * key: a pod that came back empty, a node a fix reset). Such a node is no member: it has nothing
   * to repair, and counting it would make the members look as if they disagreed. Unreachable seeds
   * stay: what cannot be observed must still block what it could contradict.
   */
  private Collection<NodeAddress> members(Collection<NodeAddress> seeds) {
    ClusterView view = observer.observeOnly(seeds);
    List<NodeAddress> out = new ArrayList<>();
    for (NodeAddress a : seeds) {
      NodeReport r = view.report(a).orElse(null);
      boolean lone =
          r != null
              && r.reachable()
              && r.known().size() == 1
              && r.self().slots().isEmpty()
              && r.keys() == 0;
      if (!lone) {
        out.add(a);
      }
    }
    return out.isEmpty() ? seeds : out;
  }

  /** What a fix would do now, changing nothing. */
  public RepairPlan plan(Collection<NodeAddress> given, RepairOptions options) {
    ClusterView view = observer.observe(members(given));
    return RepairPlanner.plan(view, SlotKeysCounter.count(admin, view), options);
  }

  /** Repairs with the safe defaults: no data loss accepted, no takeover. */
  public FixReport fix(Collection<NodeAddress> seeds) {
    return fix(seeds, RepairOptions.SAFE);
  }

  public FixReport fix(Collection<NodeAddress> given, RepairOptions options) {
    Collection<NodeAddress> seeds = members(given);
    List<FixReport.Outcome> outcomes = new ArrayList<>();
    Map<String, FixReport.Outcome> failed = new LinkedHashMap<>();
    Set<String> skip = new LinkedHashSet<>();
    Map<String, Integer> runs = new LinkedHashMap<>();
    RepairPlan plan = null;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      ClusterView view = observer.observe(seeds);
      SlotKeys keys = SlotKeysCounter.count(admin, view);
      plan = RepairPlanner.plan(view, keys, options);
      for (Repair r : plan.repairs()) {
        if (runs.getOrDefault(r.what(), 0) >= MAX_RUNS_OF_ONE_REPAIR && skip.add(r.what())) {
          // Done and planned again: the cluster did not take it, so trying on would loop.
          outcomes.removeIf(o -> o.what().startsWith(r.what()));
          failed.put(
              subject(r),
              new FixReport.Outcome(
                  FixReport.Status.NOT_REPAIRED,
                  r.cause().name(),
                  r.what(),
                  null,
                  "done " + MAX_RUNS_OF_ONE_REPAIR + " times, and still needed"));
        }
      }
      List<Repair> stage = nextStage(plan, skip);
      if (stage.isEmpty()) {
        break;
      }
      boolean progress = false;
      try (Coverage coverage = new Coverage(view, stage.get(0) instanceof SettleSlot)) {
        for (Repair r : stage) {
          try {
            runs.merge(r.what(), 1, Integer::sum);
            String extra = run(view, r);
            outcomes.removeIf(o -> o.what().startsWith(r.what()));
            outcomes.add(
                new FixReport.Outcome(
                    FixReport.Status.REPAIRED, r.cause().name(), r.what() + extra, null, null));
            log.accept(r.what() + extra);
            failed.remove(subject(r));
            progress = true;
          } catch (EngineException | IllegalStateException e) {
            String why = e.getMessage();
            log.accept("could not repair: " + r.what() + ": " + why);
            failed.put(
                subject(r),
                new FixReport.Outcome(
                    FixReport.Status.NOT_REPAIRED, r.cause().name(), r.what(), null, why));
            skip.add(r.what());
          }
        }
      }
      if (progress) {
        skip.removeIf(w -> runs.getOrDefault(w, 0) < MAX_RUNS_OF_ONE_REPAIR);
        awaitSettled(seeds);
      }
    }
    outcomes.addAll(failed.values());
    if (plan != null) {
      for (RepairPlan.Blocked b : plan.blocked()) {
        outcomes.add(
            new FixReport.Outcome(
                FixReport.Status.BLOCKED, b.cause().name(), b.what(), b.nodeId(), b.reason()));
      }
    }
    return new FixReport(outcomes);
  }

  /** What a repair is about: a later repair of the same slot supersedes a failed one. */
  private static String subject(Repair r) {
    return r instanceof SettleSlot s ? "slot " + s.slot() : r.what();
  }

  /** The repairs of the first stage that has any not failed since the last progress. */
  private static List<Repair> nextStage(RepairPlan plan, Set<String> skip) {
    List<Repair> todo = plan.repairs().stream().filter(r -> !skip.contains(r.what())).toList();
    if (todo.isEmpty()) {
      return List.of();
    }
    int stage = todo.get(0).stage();
    return todo.stream().filter(r -> r.stage() == stage).toList();
  }

  private void awaitSettled(Collection<NodeAddress> seeds) {
    ClusterView view = observer.observe(seeds);
    // A node that knows only itself and owns nothing (a fresh pod among the seeds, a node the fix
    // reset) is no member: waiting for it to agree would wait for ever.
    List<NodeAddress> live =
        view.reachable().stream()
            .filter(r -> r.known().size() > 1 || !r.self().slots().isEmpty())
            .map(NodeReport::address)
            .toList();
    try {
      new StepExecutor(admin, observer, waiter, log).awaitAgreement(live);
    } catch (OperationTimeoutException e) {
      log.accept("the nodes do not agree yet (" + e.getMessage() + "); planning again anyway");
    }
  }

  /** Runs one repair; returns what to add to its description (e.g. how many keys moved). */
  private String run(ClusterView view, Repair repair) {
    if (repair instanceof DropHandshake r) {
      try {
        client(view, r.reporterId()).forget(r.handshakeId());
      } catch (RedisAdminException ignored) {
        // The handshake ended by itself meanwhile.
      }
      return "";
    }
    if (repair instanceof Promote r) {
      NodeAddress a = address(view, r.replicaId());
      admin.node(a).failover(r.mode());
      waiter.await(
          "for " + a + " to become a primary",
          () -> {
            NodeReport now = observer.report(a);
            return now.reachable() && now.self().primary() ? null : "still a replica";
          });
      return "";
    }
    if (repair instanceof CoverSlots r) {
      NodeClient c = client(view, r.nodeId());
      c.addSlots(r.slots());
      c.bumpEpoch();
      return "";
    }
    if (repair instanceof SettleSlot r) {
      return settle(view, r);
    }
    if (repair instanceof Replicate r) {
      client(view, r.replicaId()).replicate(r.primaryId());
      return "";
    }
    if (repair instanceof Forget r) {
      forget(view, r.nodeId());
      return "";
    }
    if (repair instanceof BumpEpoch r) {
      client(view, r.nodeId()).bumpEpoch();
      return "";
    }
    throw new IllegalStateException("unknown repair " + repair);
  }

  private String settle(ClusterView view, SettleSlot r) {
    int slot = r.slot();
    if (r.ownerId() == null) {
      for (String id : r.closeOn()) {
        client(view, id).setSlotStable(slot);
      }
      return "";
    }
    NodeReport owner = view.node(r.ownerId()).orElseThrow();
    NodeClient dst = admin.node(owner.address());
    boolean owns = owner.self().slots().contains(slot);
    boolean importing = owner.self().importing().containsKey(slot);
    if (owns && owner.self().migrating().containsKey(slot) && !r.sources().isEmpty()) {
      // An owner still migrating answers the keys it lacks with ASK, so it would refuse them
      // (RESTORE-ASKING too) while they come back: it keeps the slot, so it closes it first.
      dst.setSlotStable(slot);
    }
    long moved = 0;
    for (String id : r.sources()) {
      NodeReport src = view.node(id).orElseThrow();
      NodeClient sc = admin.node(src.address());
      if (!owns && !importing) {
        dst.setSlotImporting(slot, id);
        importing = true;
      }
      NodeRecord self = src.self();
      if (self.slots().contains(slot)) {
        sc.setSlotMigrating(slot, r.ownerId());
      } else if (!self.importing().containsKey(slot)) {
        // A node serves MIGRATE for a slot it does not own only while importing it.
        sc.setSlotImporting(slot, r.ownerId());
      }
      moved += mover.drain(slot, sc, dst);
    }
    List<NodeAddress> primaries = view.primaries().stream().map(NodeReport::address).toList();
    mover.finish(slot, r.ownerId(), dst, null, primaries);
    // SETSLOT NODE leaves a node MIGRATING when it names itself while holding keys, and leaves
    // IMPORTING on nodes other than the one it names: close the slot everywhere it was open.
    Set<String> close = new LinkedHashSet<>(r.closeOn());
    close.add(r.ownerId());
    for (String id : close) {
      client(view, id).setSlotStable(slot);
    }
    if (r.bumpEpoch() || (!owns && !importing)) {
      dst.bumpEpoch();
    }
    return " (" + moved + " keys moved)";
  }

  private void forget(ClusterView view, String id) {
    List<String> errors = new ArrayList<>();
    int told = 0;
    for (NodeReport r : view.reachable()) {
      if (r.about(id).isEmpty()) {
        continue;
      }
      try {
        admin.node(r.address()).forget(id);
        told++;
      } catch (RedisAdminException e) {
        errors.add(e.getMessage());
      }
    }
    if (told == 0 && !errors.isEmpty()) {
      throw new RedisAdminException(String.join("; ", errors));
    }
    errors.forEach(e -> log.accept("forget: " + e));
  }

  private static NodeAddress address(ClusterView view, String id) {
    return view.node(id)
        .map(NodeReport::address)
        .orElseThrow(() -> new IllegalStateException("node " + id + " is no longer observed"));
  }

  private NodeClient client(ClusterView view, String id) {
    return admin.node(address(view, id));
  }

  /**
   * Lets nodes serve (and MIGRATE) while some slot is unserved, for one stage of moving keys, when
   * some primary reports the cluster down; restores each node's value afterwards.
   */
  private final class Coverage implements AutoCloseable {
    private final Map<NodeAddress, String> saved = new LinkedHashMap<>();

    Coverage(ClusterView view, boolean movesKeys) {
      if (!movesKeys || view.primaries().stream().allMatch(NodeReport::clusterOk)) {
        return;
      }
      List<NodeAddress> primaries = view.primaries().stream().map(NodeReport::address).toList();
      for (NodeAddress a : primaries) {
        try {
          String v = admin.node(a).configGet(FULL_COVERAGE).get(FULL_COVERAGE);
          if (v != null && !"no".equals(v)) {
            journal.record(a, FULL_COVERAGE, v, "no");
            admin.node(a).configSet(FULL_COVERAGE, "no");
            saved.put(a, v);
          }
        } catch (RedisAdminException | UncheckedIOException e) {
          log.accept("could not set " + FULL_COVERAGE + " on " + a + ": " + e.getMessage());
        }
      }
      try {
        waiter.await(
            "for the primaries to serve while some slots are not covered",
            () -> {
              for (NodeAddress a : primaries) {
                try {
                  if (!"ok".equals(admin.node(a).clusterInfo().get("cluster_state"))) {
                    return a + " reports cluster_state:fail";
                  }
                } catch (RedisAdminException e) {
                  return e.getMessage();
                }
              }
              return null;
            });
      } catch (OperationTimeoutException e) {
        log.accept(e.getMessage());
      }
    }

    @Override
    public void close() {
      saved.forEach(
          (a, v) -> {
            try {
              admin.node(a).configSet(FULL_COVERAGE, v);
              journal.forget(a, FULL_COVERAGE);
            } catch (RedisAdminException | UncheckedIOException e) {
              log.accept(
                  "could not restore "
                      + FULL_COVERAGE
                      + " "
                      + v
                      + " on "
                      + a
                      + ": "
                      + e.getMessage());
            }
          });
    }
  }
}
