package io.slotwise.engine.converge;

import io.slotwise.engine.converge.StepResult.Blocked;
import io.slotwise.engine.converge.StepResult.Converged;
import io.slotwise.engine.converge.StepResult.Phase;
import io.slotwise.engine.converge.StepResult.Progressing;
import io.slotwise.engine.execute.ClusterCreator;
import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.health.Problem;
import io.slotwise.engine.health.ProblemKind;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.plan.ScalePlanner;
import io.slotwise.engine.plan.ScalePlanner.Action;
import io.slotwise.engine.plan.ShardLayout;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One step of convergence: the desired topology and the provider's nodes in, one bounded unit of
 * work done against Redis, a {@link StepResult} out. Callers loop ({@code local scale}, the local
 * supervisor) or call it once per reconcile and requeue (the operator).
 *
 * <p>The step keeps nothing between calls: each call observes the provider's nodes afresh and asks
 * the pure {@link ScalePlanner} what to do next, so any caller can crash and another carry on. Each
 * call does the first of:
 *
 * <ol>
 *   <li>restart the nodes the provider does not run (on their own data);
 *   <li>block when a node cannot be observed, when a lone node holds keys, or when the cluster has
 *       a problem only a repair settles (uncovered or conflicting slots, failed or unreachable
 *       nodes, handshakes, orphaned replicas);
 *   <li>introduce members that do not know each other (a formation interrupted before its MEETs);
 *   <li>finish the slot moves an interrupted run left open (Redis records their targets);
 *   <li>the planner's next action: start nodes, form the cluster, join a node as primary or
 *       replica, move up to {@link Options#maxSlotsPerStep} slots (a drain or the weighted
 *       balance), move a replica, remove one node;
 *   <li>wait for the nodes to settle (agreement, replicas in sync), else report converged.
 * </ol>
 */
public final class ConvergenceStep {
  /**
   * Bounds of one step.
   *
   * @param maxSlotsPerStep slots one step moves at most
   * @param waitToSettle whether a step whose cluster has the desired shape but is not quiet yet
   *     (agreement, replicas syncing) waits for it; a supervisor that must stay responsive says no
   */
  public record Options(int maxSlotsPerStep, SlotMigrator.Options migration, boolean waitToSettle) {
    public Options {
      if (maxSlotsPerStep < 1) {
        throw new IllegalArgumentException("a step must move at least one slot");
      }
    }

    public Options(int maxSlotsPerStep, SlotMigrator.Options migration) {
      this(maxSlotsPerStep, migration, true);
    }

    public static Options defaults() {
      return new Options(2048, SlotMigrator.Options.defaults());
    }
  }

  /** Problems that no convergence action may work around; a repair has to settle them first. */
  private static final Set<ProblemKind> NEEDS_REPAIR =
      EnumSet.of(
          ProblemKind.UNCOVERED_SLOTS,
          ProblemKind.SLOT_CONFLICT,
          ProblemKind.UNREACHABLE_NODE,
          ProblemKind.FAILED_NODE,
          ProblemKind.HANDSHAKE_NODE,
          ProblemKind.ORPHANED_REPLICA);

  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Waiter waiter;
  private final Options options;
  private final MigrationListener listener;
  private final Consumer<String> log;

  public ConvergenceStep(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      Options options,
      MigrationListener listener,
      Consumer<String> log) {
    this.admin = admin;
    this.observer = observer;
    this.waiter = waiter;
    this.options = options;
    this.listener = listener;
    this.log = log;
  }

  /** Does one bounded unit of work towards {@code desired}; failures come back as Blocked. */
  public StepResult step(DesiredTopology desired, NodeProvider provider) {
    try {
      return unit(desired, provider);
    } catch (EngineException e) {
      return new Blocked(e.reason(), e.getMessage());
    }
  }

  /**
   * Steps until the cluster converges, for callers that run to the end ({@code local scale}).
   *
   * @param progress hears each unit of work done
   * @param maxSteps steps after which it gives up with reason {@link Reason#TIMEOUT}
   * @throws EngineException with the reason of a Blocked step
   */
  public Converged converge(
      DesiredTopology desired,
      NodeProvider provider,
      Consumer<Progressing> progress,
      int maxSteps) {
    for (int i = 0; i < maxSteps; i++) {
      StepResult r = step(desired, provider);
      if (r instanceof Converged c) {
        return c;
      }
      if (r instanceof Blocked b) {
        throw new EngineException(b.reason(), b.message());
      }
      progress.accept((Progressing) r);
    }
    throw new EngineException(
        Reason.TIMEOUT, "the cluster did not converge in " + maxSteps + " steps");
  }

  private StepResult unit(DesiredTopology desired, NodeProvider provider) {
    List<ProviderNode> nodes = provider.nodes();
    List<ProviderNode> stopped = nodes.stream().filter(n -> !n.running()).toList();
    if (!stopped.isEmpty()) {
      for (ProviderNode n : stopped) {
        try {
          provider.replace(n);
        } catch (EngineException e) {
          return new Blocked(
              Reason.NODE_START_FAILED, "cannot restart node " + n.name() + ": " + e.getMessage());
        }
        log.accept("node " + n.name() + " (" + n.address() + ") had stopped; restarted it");
      }
      return new Progressing(
          Phase.RESTARTING_NODES,
          "restarted " + stopped.size() + " stopped node(s)",
          stopped.size(),
          stopped.size());
    }
    List<NodeAddress> addresses = nodes.stream().map(ProviderNode::address).toList();
    ClusterView all = observer.observeOnly(addresses);
    for (NodeReport r : all.unreachable()) {
      return new Blocked(
          Reason.NODE_UNREACHABLE, "node " + r.address() + " cannot be observed: " + r.error());
    }
    Map<NodeAddress, Integer> order = new HashMap<>();
    Map<NodeAddress, Integer> group = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      order.put(nodes.get(i).address(), i);
      group.put(nodes.get(i).address(), nodes.get(i).shard());
    }
    List<ScalePlanner.Member> members = new ArrayList<>();
    List<ScalePlanner.Fresh> fresh = new ArrayList<>();
    List<NodeReport> memberReports = new ArrayList<>();
    for (NodeReport r : all.reachable()) {
      boolean alone = r.known().size() == 1 && r.self().slots().isEmpty();
      if (alone && r.keys() > 0) {
        return new Blocked(
            Reason.UNSAFE,
            "node " + r.address() + " belongs to no cluster but holds " + r.keys() + " keys");
      }
      int o = order.get(r.address());
      if (alone) {
        fresh.add(
            new ScalePlanner.Fresh(r.address(), r.self().busPort(), o, group.get(r.address())));
        continue;
      }
      memberReports.add(r);
      boolean primary = r.self().primary();
      members.add(
          new ScalePlanner.Member(
              r.id(),
              r.address(),
              o,
              primary ? null : r.self().primaryId(),
              primary ? r.self().slots() : SlotSet.EMPTY,
              !primary
                  && r.replicationLinkUp()
                  && !"1".equals(r.replication().get("master_sync_in_progress")),
              group.get(r.address())));
    }
    ClusterView view = new ClusterView(memberReports);
    if (!members.isEmpty()) {
      Optional<StepResult> blocked = needsRepair(view, order);
      if (blocked.isPresent()) {
        return blocked.get();
      }
      Optional<StepResult> introduced = introduceStrangers(view);
      if (introduced.isPresent()) {
        return introduced.get();
      }
      if (!view.openSlots().isEmpty()) {
        int open = view.openSlots().size();
        int finished = rebalancer().finishOpenMoves(seed(view));
        return new Progressing(
            Phase.FINISHING_MOVES,
            "finished " + finished + " slot move(s) an interrupted step left open",
            finished,
            open);
      }
    }
    Optional<Action> next =
        ScalePlanner.next(new ScalePlanner.Shape(members, fresh), desired.target());
    if (next.isEmpty()) {
      return settle(view, desired);
    }
    int surplus = Math.max(1, members.size() + fresh.size() - desired.nodes());
    return act(next.get(), view, provider, nodes, surplus, fresh.size());
  }

  /**
   * Blocked when the members' view has a problem only a repair settles, or when a member knows a
   * node that none of the provider's nodes is (a node outside the provider would be lost track of).
   */
  private Optional<StepResult> needsRepair(ClusterView view, Map<NodeAddress, Integer> order) {
    List<Problem> problems =
        ClusterChecker.check(view).stream().filter(p -> NEEDS_REPAIR.contains(p.kind())).toList();
    if (!problems.isEmpty()) {
      return Optional.of(
          new Blocked(
              Reason.REPAIR_NEEDED,
              problems.get(0).message()
                  + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")));
    }
    for (NodeReport r : view.reachable()) {
      for (var known : r.known()) {
        if (!known.handshake()
            && known.address() != null
            && !order.containsKey(known.address())
            && view.node(known.id()).isEmpty()) {
          return Optional.of(
              new Blocked(
                  Reason.UNSAFE,
                  "node "
                      + known.address()
                      + " is a member of the cluster but not one of the provider's nodes"));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Members that do not know each other (a formation interrupted before its MEETs, a node that lost
   * sight of the others) are introduced, as the formation would have done. Safe only because no two
   * members claim a slot (the repair check before blocks that) so no claim can be overruled.
   */
  private Optional<StepResult> introduceStrangers(ClusterView view) {
    List<NodeReport> members = view.reachable();
    List<Step> meets = new ArrayList<>();
    for (NodeReport a : members) {
      for (NodeReport b : members) {
        if (a != b
            && a.about(b.id()).filter(rec -> !rec.handshake()).isEmpty()
            && b.about(a.id()).filter(rec -> !rec.handshake()).isEmpty()
            && a.address().compareTo(b.address()) < 0) {
          meets.add(new Step.Meet(a.address(), b.address(), b.self().busPort()));
        }
      }
    }
    if (meets.isEmpty()) {
      return Optional.empty();
    }
    StepExecutor executor = executor();
    executor.run(meets);
    executor.awaitAgreement(members.stream().map(NodeReport::address).toList());
    return Optional.of(
        new Progressing(
            Phase.FORMING_CLUSTER,
            "introduced " + meets.size() + " pair(s) of members that did not know each other",
            meets.size(),
            meets.size()));
  }

  private StepResult settle(ClusterView view, DesiredTopology desired) {
    List<Problem> left = ClusterChecker.check(view);
    if (left.isEmpty()) {
      return new Converged(
          desired.shards()
              + " shards with "
              + desired.replicasPerShard()
              + " replica(s) each, every slot served");
    }
    if (!options.waitToSettle()) {
      return new Progressing(
          Phase.SETTLING, "waiting for: " + left.get(0).message(), 0, left.size());
    }
    List<NodeAddress> members = view.reachable().stream().map(NodeReport::address).toList();
    StepExecutor executor = executor();
    executor.awaitAgreement(members);
    executor.awaitReplicasInSync(members);
    executor.awaitClusterOk(members);
    return new Progressing(Phase.SETTLING, "waited for: " + left.get(0).message(), 0, left.size());
  }

  private StepResult act(
      Action action,
      ClusterView view,
      NodeProvider provider,
      List<ProviderNode> nodes,
      int surplus,
      int freshCount) {
    if (action instanceof Action.StartNodes s) {
      int started = 0;
      for (int shard : s.shards()) {
        try {
          ProviderNode n = provider.start(new NodeSpec(shard));
          log.accept("started node " + n.name() + " at " + n.address());
          started++;
        } catch (EngineException e) {
          return new Blocked(
              Reason.NODE_START_FAILED,
              "cannot start a node for shard " + shard + ": " + e.getMessage());
        }
      }
      return new Progressing(
          Phase.STARTING_NODES, "started " + started + " node(s)", started, s.count());
    }
    if (action instanceof Action.Form f) {
      List<NodeAddress> addresses = f.nodes().stream().map(ScalePlanner.Fresh::address).toList();
      Map<NodeAddress, String> domain = new HashMap<>();
      Map<NodeAddress, Integer> shardOf = new HashMap<>();
      nodes.forEach(n -> domain.put(n.address(), n.failureDomain()));
      f.nodes().forEach(n -> shardOf.put(n.address(), n.group()));
      ClusterCreator creator = new ClusterCreator(admin, observer, waiter, log);
      // A provider that keeps each shard's nodes apart (a StatefulSet per shard) gets its shards
      // as it keeps them; otherwise the engine spreads them over failure domains.
      boolean providerShards = shardOf.values().stream().allMatch(g -> g >= 0);
      List<ShardLayout> layout =
          creator.plan(
              addresses, f.replicasPerShard(), domain::get, providerShards ? shardOf::get : null);
      creator.create(layout);
      return new Progressing(
          Phase.FORMING_CLUSTER,
          "formed a cluster of " + layout.size() + " shards from " + addresses.size() + " nodes",
          addresses.size(),
          addresses.size());
    }
    if (action instanceof Action.AddPrimary a) {
      membership().add(seed(view), a.node().address(), null, false);
      return new Progressing(
          Phase.JOINING_NODES, a.node().address() + " joined as an empty primary", 1, freshCount);
    }
    if (action instanceof Action.AddReplica a) {
      NodeAddress primary = view.node(a.primaryId()).orElseThrow().address();
      membership().add(seed(view), a.node().address(), a.primaryId(), false);
      return new Progressing(
          Phase.JOINING_NODES,
          a.node().address() + " joined as a replica of " + primary,
          1,
          freshCount);
    }
    if (action instanceof Action.DrainPrimary d) {
      NodeAddress from = view.node(d.primaryId()).orElseThrow().address();
      return moveSlots(
          view,
          new Rebalancer.Request(
              BalanceBy.SLOTS, 0, d.weights(), false, Set.of(d.primaryId()), true),
          "off " + from + ", whose shard leaves");
    }
    if (action instanceof Action.BalanceSlots b) {
      return moveSlots(
          view,
          new Rebalancer.Request(BalanceBy.SLOTS, 0, b.weights(), true, null, true),
          "to balance the shards");
    }
    if (action instanceof Action.MoveReplica m) {
      NodeReport replica = view.node(m.replicaId()).orElseThrow();
      NodeReport primary = view.node(m.toPrimaryId()).orElseThrow();
      StepExecutor executor = executor();
      executor.run(new Step.Replicate(replica.address(), primary.id(), primary.address()));
      executor.awaitAgreement(view.reachable().stream().map(NodeReport::address).toList());
      return new Progressing(
          Phase.MOVING_REPLICAS,
          "made " + replica.address() + " a replica of " + primary.address(),
          1,
          1);
    }
    if (action instanceof Action.RemoveNode r) {
      NodeAddress seed =
          view.slotOwners().stream()
              .map(NodeReport::address)
              .filter(a -> !a.equals(r.address()))
              .findFirst()
              .orElseThrow();
      membership().remove(seed, r.id());
      ProviderNode node = byAddress(nodes, r.address());
      try {
        provider.remove(node);
      } catch (EngineException e) {
        return new Blocked(
            Reason.NODE_START_FAILED,
            "node " + r.address() + " left the cluster but cannot be stopped: " + e.getMessage());
      }
      return new Progressing(
          Phase.REMOVING_NODES,
          "removed node " + node.name() + " (" + r.address() + ") from the cluster",
          1,
          surplus);
    }
    if (action instanceof Action.RemoveFresh r) {
      ProviderNode node = byAddress(nodes, r.node().address());
      provider.remove(node);
      return new Progressing(
          Phase.REMOVING_NODES,
          "stopped node " + node.name() + " (" + node.address() + "), which no shard needs",
          1,
          surplus);
    }
    throw new IllegalStateException("unknown action " + action);
  }

  /** Plans the whole movement, then carries out its first {@code maxSlotsPerStep} moves. */
  private StepResult moveSlots(ClusterView view, Rebalancer.Request dryRun, String why) {
    Rebalancer rebalancer = rebalancer();
    Rebalancer.Outcome planned = rebalancer.rebalance(seed(view), dryRun);
    int total = planned.plan().moves().size();
    if (total == 0) {
      // The planner and the rebalancer disagree; looping would never end.
      return new Blocked(
          Reason.INVALID_TOPOLOGY, "no slot move can bring the shards closer to their weights");
    }
    Rebalancer.Outcome done =
        rebalancer.carryOut(Rebalancer.limit(planned, options.maxSlotsPerStep()));
    int moved = done.plan().moves().size();
    return new Progressing(Phase.MOVING_SLOTS, "moved " + moved + " slots " + why, moved, total);
  }

  private static ProviderNode byAddress(List<ProviderNode> nodes, NodeAddress address) {
    return nodes.stream().filter(n -> n.address().equals(address)).findFirst().orElseThrow();
  }

  private static NodeAddress seed(ClusterView view) {
    return view.slotOwners().isEmpty()
        ? view.reachable().get(0).address()
        : view.slotOwners().get(0).address();
  }

  private Rebalancer rebalancer() {
    return new Rebalancer(admin, observer, waiter, options.migration(), listener, log);
  }

  private NodeMembership membership() {
    return new NodeMembership(admin, observer, waiter, log);
  }

  private StepExecutor executor() {
    return new StepExecutor(admin, observer, waiter, log);
  }
}
