package io.slotwise.engine.migrate;

import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.health.Problem;
import io.slotwise.engine.health.ProblemKind;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ClusterView.OpenSlot;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.plan.RebalancePlan;
import io.slotwise.engine.plan.RebalancePlanner;
import io.slotwise.engine.plan.ReshardPlanner;
import io.slotwise.engine.plan.SlotStats;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Rebalance, reshard and drain: observe, finish any move a crash left open, measure, plan, move,
 * wait until every node agrees. Running the same request again after an interruption completes it.
 */
public final class Rebalancer {
  /** What to balance and how. {@code weights} maps node id to weight (default 1). */
  public record Request(
      BalanceBy by,
      double thresholdPercent,
      Map<String, Double> weights,
      boolean useEmptyPrimaries,
      Set<String> givers,
      boolean dryRun) {}

  /** What was planned and done; {@code result} is null for a dry run. */
  public record Outcome(
      RebalancePlan plan,
      SlotMigrator.Result result,
      int resumedSlots,
      Map<String, NodeAddress> addresses,
      SlotStats stats,
      NodeAddress seed,
      List<NodeAddress> primaries) {}

  /** Problems that stop a data movement; open slots are not among them: they are resumed. */
  private static final Set<ProblemKind> BLOCKING =
      EnumSet.of(
          ProblemKind.UNCOVERED_SLOTS,
          ProblemKind.SLOT_CONFLICT,
          ProblemKind.UNREACHABLE_NODE,
          ProblemKind.FAILED_NODE,
          ProblemKind.HANDSHAKE_NODE);

  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Waiter waiter;
  private final SlotMigrator.Options options;
  private final MigrationListener listener;
  private final Consumer<String> log;
  private final PhaseTimes times;

  public Rebalancer(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      SlotMigrator.Options options,
      MigrationListener listener,
      Consumer<String> log) {
    this(admin, observer, waiter, options, listener, log, new PhaseTimes());
  }

  /**
   * @param times hears where the time goes (observation, statistics, planning, migration, waits)
   */
  public Rebalancer(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      SlotMigrator.Options options,
      MigrationListener listener,
      Consumer<String> log,
      PhaseTimes times) {
    this.admin = admin;
    this.observer = observer;
    this.waiter = waiter;
    this.options = options;
    this.listener = listener;
    this.log = log;
    this.times = times;
  }

  private ClusterView observe(NodeAddress seed) {
    return times.time(PhaseTimes.Phase.OBSERVATION, () -> observer.observe(List.of(seed)));
  }

  public Outcome rebalance(NodeAddress seed, Request request) {
    return rebalance(observe(seed), seed, request);
  }

  /**
   * Rebalances starting from a view of the cluster just observed through {@code seed}: one
   * observation serves resumption, the health check and planning (another is made only after
   * finishing moves an interrupted run left open).
   */
  public Outcome rebalance(ClusterView observed, NodeAddress seed, Request request) {
    Resumed resumed = resumeOpenSlots(observed, seed, request.dryRun());
    ClusterView view = healthy(resumed.view(), request.dryRun());
    List<RebalancePlanner.Primary> primaries = new ArrayList<>();
    for (NodeReport p : view.primaries()) {
      boolean empty = p.self().slots().isEmpty();
      Double w = request.weights().get(p.id());
      if (empty && !request.useEmptyPrimaries() && w == null) {
        continue;
      }
      primaries.add(
          new RebalancePlanner.Primary(p.id(), p.address(), p.self().slots(), w == null ? 1.0 : w));
    }
    for (String id : request.weights().keySet()) {
      if (view.node(id).filter(n -> n.self().primary()).isEmpty()) {
        throw new PlanningException(
            "a weight names node " + id + ", which is not a live primary of this cluster");
      }
    }
    // Only slots a plan may move need counting: by slots, those of primaries above their share.
    Set<String> measured =
        request.by() == BalanceBy.SLOTS
            ? RebalancePlanner.slotGivers(primaries, request.givers())
            : null;
    SlotStats stats =
        times.time(
            PhaseTimes.Phase.STATISTICS,
            () ->
                new SlotStatsCollector(admin)
                    .collect(view, measured, request.by() == BalanceBy.MEMORY));
    RebalancePlan plan =
        times.time(
            PhaseTimes.Phase.PLANNING,
            () ->
                RebalancePlanner.plan(
                    primaries, stats, request.by(), request.thresholdPercent(), request.givers()));
    return execute(seed, view, plan, stats, resumed.slots(), request.dryRun());
  }

  /**
   * Moves {@code count} slots to {@code to}, taken from {@code from} in proportion to what each
   * owns.
   */
  public Outcome reshard(
      NodeAddress seed, List<String> from, String to, int count, boolean dryRun) {
    return reshard(observe(seed), seed, from, to, count, dryRun);
  }

  /** The same, starting from a view of the cluster just observed through {@code seed}. */
  public Outcome reshard(
      ClusterView observed,
      NodeAddress seed,
      List<String> from,
      String to,
      int count,
      boolean dryRun) {
    Resumed resumed = resumeOpenSlots(observed, seed, dryRun);
    ClusterView view = healthy(resumed.view(), dryRun);
    NodeReport target =
        view.node(to)
            .filter(n -> n.self().primary())
            .orElseThrow(
                () ->
                    new PlanningException(
                        "target node " + to + " is not a live primary of this cluster"));
    List<NodeReport> sources = new ArrayList<>();
    for (String id : new java.util.LinkedHashSet<>(from)) {
      NodeReport s =
          view.node(id)
              .filter(n -> n.self().primary())
              .orElseThrow(
                  () ->
                      new PlanningException(
                          "source node " + id + " is not a live primary of this cluster"));
      if (s.id().equals(to)) {
        throw new PlanningException("node " + to + " is both a source and the target");
      }
      sources.add(s);
    }
    int available = sources.stream().mapToInt(s -> s.self().slots().size()).sum();
    if (count < 1 || count > available) {
      throw new PlanningException(
          "the number of slots to move must be between 1 and "
              + available
              + " (what the sources own), got "
              + count);
    }
    Set<String> sourceIds = new java.util.HashSet<>();
    sources.forEach(n -> sourceIds.add(n.id()));
    SlotStats stats =
        times.time(
            PhaseTimes.Phase.STATISTICS,
            () -> new SlotStatsCollector(admin).collect(view, sourceIds, false));
    Map<String, SlotSet> owners = new java.util.LinkedHashMap<>();
    for (NodeReport p : view.slotOwners()) {
      owners.put(p.id(), p.self().slots());
    }
    owners.putIfAbsent(target.id(), target.self().slots());
    RebalancePlan plan =
        times.time(
            PhaseTimes.Phase.PLANNING,
            () ->
                ReshardPlanner.plan(
                    owners, sources.stream().map(NodeReport::id).toList(), to, count, stats));
    return execute(seed, view, plan, stats, resumed.slots(), dryRun);
  }

  /** Moves every slot off a primary onto the other slot owners, evening out their slot counts. */
  public Outcome drain(NodeAddress seed, String nodeId, boolean dryRun) {
    return drain(observe(seed), seed, nodeId, dryRun);
  }

  /** The same, starting from a view of the cluster just observed through {@code seed}. */
  public Outcome drain(ClusterView view, NodeAddress seed, String nodeId, boolean dryRun) {
    NodeReport node =
        view.node(nodeId)
            .orElseThrow(() -> new PlanningException("no live node " + nodeId + " in the cluster"));
    if (!node.self().primary()) {
      throw new PlanningException(node.address() + " is a replica; it owns no slots to drain");
    }
    if (view.slotOwners().stream().noneMatch(p -> !p.id().equals(nodeId))) {
      throw new PlanningException(
          "no other primary owns slots; add one before draining " + node.address());
    }
    return rebalance(
        view,
        seed,
        new Request(BalanceBy.SLOTS, 0, Map.of(nodeId, 0.0), false, Set.of(nodeId), dryRun));
  }

  private static ClusterView healthy(ClusterView view, boolean allowOpenSlots) {
    List<Problem> blocking =
        ClusterChecker.check(view).stream().filter(p -> BLOCKING.contains(p.kind())).toList();
    if (!blocking.isEmpty()) {
      throw new PlanningException(
          "the cluster must be healthy before data moves: "
              + blocking.get(0).message()
              + (blocking.size() > 1 ? " (and " + (blocking.size() - 1) + " more problems)" : "")
              + "; check and fix the cluster first");
    }
    if (!allowOpenSlots && !view.openSlots().isEmpty()) {
      throw new PlanningException(
          "slots " + view.openSlots().keySet() + " are still open; fix the cluster first");
    }
    return view;
  }

  /**
   * Finishes (unless this is a dry run) every move an interrupted migration left open (slot
   * migrating from its owner to a live primary, or importing there from its owner), towards the
   * target it had.
   */
  private record Resumed(int slots, ClusterView view) {}

  private Resumed resumeOpenSlots(ClusterView view, NodeAddress seed, boolean dryRun) {
    Map<Integer, List<OpenSlot>> open = view.openSlots();
    if (open.isEmpty()) {
      return new Resumed(0, view);
    }
    if (dryRun) {
      log.accept(
          open.size() + " slot move(s) left open by an interrupted run would be finished first");
      return new Resumed(open.size(), view);
    }
    List<List<String>> claims = view.claimedOwners();
    List<SlotMove> moves = new ArrayList<>();
    Heirs heirs = new Heirs(view, admin);
    for (Map.Entry<Integer, List<OpenSlot>> e : open.entrySet()) {
      int slot = e.getKey();
      String source = null;
      String target = null;
      for (OpenSlot o : e.getValue()) {
        if (o.kind() == OpenSlot.Kind.MIGRATING) {
          source = o.nodeId();
          target = o.peerId();
        }
      }
      if (source == null) {
        for (OpenSlot o : e.getValue()) {
          source = o.peerId();
          target = o.nodeId();
        }
      }
      // A side that died and was replaced by its replica is finished by its heir.
      NodeReport sr = heirs.source(source, slot, target).orElse(null);
      String to = target;
      List<Integer> ofTarget =
          open.entrySet().stream()
              .filter(o -> o.getValue().stream().anyMatch(x -> to.equals(x.peerId())))
              .map(Map.Entry::getKey)
              .toList();
      NodeReport tr =
          heirs.target(target, ofTarget.isEmpty() ? List.of(slot) : ofTarget, source).orElse(null);
      final String s = sr == null ? source : sr.id();
      final String t = tr == null ? target : tr.id();
      boolean sourceOwns = claims.get(slot).contains(s);
      boolean targetOwns = claims.get(slot).contains(t);
      if (sr == null || tr == null || !tr.self().primary() || !(sourceOwns || targetOwns)) {
        throw new PlanningException(
            "slot " + slot + " is open in a way only a cluster fix can settle");
      }
      moves.add(new SlotMove(slot, s, sr.address(), t, tr.address()));
    }
    log.accept("finishing " + moves.size() + " slot move(s) that an interrupted run left open");
    times.time(
        PhaseTimes.Phase.MIGRATION,
        () -> new SlotMigrator(admin, options, listener).migrate(moves, primaries(view)));
    awaitAgreement(view.reachable().stream().map(NodeReport::address).toList());
    return new Resumed(moves.size(), observe(seed));
  }

  private Outcome execute(
      NodeAddress seed,
      ClusterView view,
      RebalancePlan plan,
      SlotStats stats,
      int resumed,
      boolean dryRun) {
    Map<String, NodeAddress> addresses = new java.util.HashMap<>();
    view.reachable().forEach(r -> addresses.put(r.id(), r.address()));
    Outcome planned = new Outcome(plan, null, resumed, addresses, stats, seed, primaries(view));
    return dryRun ? planned : move(planned);
  }

  /**
   * Finishes every slot move that an interrupted run left open, towards the target it had.
   *
   * @return the number of slots finished; 0 when none was open
   */
  public int finishOpenMoves(NodeAddress seed) {
    return resumeOpenSlots(observe(seed), seed, false).slots();
  }

  /**
   * The same planned outcome with at most {@code maxSlots} of its moves, for bounded steps: the
   * first moves of the plan, whose order puts the cheapest slots first. Planning again after they
   * ran gives the rest.
   */
  public static Outcome limit(Outcome planned, int maxSlots) {
    RebalancePlan plan = planned.plan();
    if (plan.moves().size() <= maxSlots) {
      return planned;
    }
    List<RebalancePlan.PlannedMove> moves = plan.moves().subList(0, maxSlots);
    Map<String, Long> after = new java.util.LinkedHashMap<>(plan.before());
    long keys = 0;
    long bytes = 0;
    for (RebalancePlan.PlannedMove m : moves) {
      after.merge(m.from(), -1L, Long::sum);
      after.merge(m.to(), 1L, Long::sum);
      if (planned.stats() != null) {
        keys += planned.stats().keys()[m.slot()];
        bytes += planned.stats().bytes()[m.slot()];
      }
    }
    RebalancePlan limited =
        new RebalancePlan(
            plan.by(),
            List.copyOf(moves),
            plan.before(),
            plan.by() == BalanceBy.SLOTS ? after : plan.after(),
            plan.target(),
            keys,
            bytes,
            plan.notes());
    return new Outcome(
        limited,
        planned.result(),
        planned.resumedSlots(),
        planned.addresses(),
        planned.stats(),
        planned.seed(),
        planned.primaries());
  }

  /**
   * Carries out a plan made by a dry run, without observing and measuring again. A dry run that
   * found open slots ({@code resumedSlots > 0}) must be redone for real instead: finishing them
   * changes what the plan should be.
   */
  public Outcome carryOut(Outcome planned) {
    if (planned.resumedSlots() > 0) {
      throw new IllegalStateException(
          "open slots must be finished before this plan can run; plan again without dry run");
    }
    return move(planned);
  }

  private Outcome move(Outcome planned) {
    RebalancePlan plan = planned.plan();
    if (plan.moves().isEmpty()) {
      return planned;
    }
    Map<String, NodeAddress> addresses = planned.addresses();
    List<SlotMove> moves = new ArrayList<>();
    for (RebalancePlan.PlannedMove m : plan.moves()) {
      moves.add(
          new SlotMove(m.slot(), m.from(), addresses.get(m.from()), m.to(), addresses.get(m.to())));
    }
    // A primary that joined moments ago refuses data (CLUSTERDOWN) until it says cluster_state:ok.
    times.time(
        PhaseTimes.Phase.WAITS,
        () -> new StepExecutor(admin, observer, waiter, log).awaitClusterOk(planned.primaries()));
    SlotMigrator.Result result =
        times.time(
            PhaseTimes.Phase.MIGRATION,
            () -> new SlotMigrator(admin, options, listener).migrate(moves, planned.primaries()));
    awaitAgreement(planned.addresses().values());
    return new Outcome(
        plan,
        result,
        planned.resumedSlots(),
        addresses,
        planned.stats(),
        planned.seed(),
        planned.primaries());
  }

  private static List<NodeAddress> primaries(ClusterView view) {
    return view.primaries().stream().map(NodeReport::address).toList();
  }

  /**
   * Waits until the nodes observed before the move that still answer agree on the slot map: their
   * {@code CLUSTER NODES} only, not a second observation of the whole cluster.
   */
  private void awaitAgreement(java.util.Collection<NodeAddress> observed) {
    times.time(
        PhaseTimes.Phase.WAITS,
        () -> {
          List<NodeAddress> live =
              observer.membership(observed).reachable().stream().map(NodeReport::address).toList();
          new StepExecutor(admin, observer, waiter, log).awaitSlotAgreement(live);
        });
  }

  /** Moves described as slot ranges per (from, to) pair, for {@code --dry-run} output. */
  public static List<String> describe(Outcome outcome) {
    RebalancePlan plan = outcome.plan();
    Map<String, NodeAddress> addresses = outcome.addresses();
    SlotStats stats = outcome.stats();
    Map<String, java.util.BitSet> byPair = new java.util.LinkedHashMap<>();
    for (RebalancePlan.PlannedMove m : plan.moves()) {
      byPair.computeIfAbsent(m.from() + " " + m.to(), k -> new java.util.BitSet()).set(m.slot());
    }
    List<String> out = new ArrayList<>();
    byPair.forEach(
        (k, bits) -> {
          String[] ft = k.split(" ");
          SlotSet set = SlotSet.of(bits);
          long keys = 0;
          long bytes = 0;
          if (stats != null) {
            for (int s : set.toArray()) {
              keys += stats.keys()[s];
              bytes += stats.bytes()[s];
            }
          }
          String ranges = set.toString();
          if (ranges.length() > 60) {
            ranges =
                ranges.substring(0, ranges.lastIndexOf(',', 60))
                    + ",… ("
                    + set.ranges().size()
                    + " ranges)";
          }
          out.add(
              addresses.get(ft[0])
                  + " -> "
                  + addresses.get(ft[1])
                  + ": "
                  + set.size()
                  + " slots "
                  + ranges
                  + (stats != null ? ", " + keys + " keys, " + bytes + " bytes" : ""));
        });
    return out;
  }
}
