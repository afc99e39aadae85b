package io.slotwise.engine.execute;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.topology.NodeAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Adds nodes to a cluster and removes them. Everything that could make the change unsafe is checked
 * before the first command is sent.
 */
public final class NodeMembership {
  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final StepExecutor executor;
  private final Waiter waiter;
  private final ConfigJournal journal;
  private final Consumer<String> progress;

  public NodeMembership(
      RedisAdmin admin, ClusterObserver observer, Waiter waiter, Consumer<String> progress) {
    this(admin, observer, waiter, ConfigJournal.none(), progress);
  }

  /**
   * @param journal records the values lowered while a node joins, so a later run can put them back
   *     when this one dies first
   */
  public NodeMembership(
      RedisAdmin admin,
      ClusterObserver observer,
      Waiter waiter,
      ConfigJournal journal,
      Consumer<String> progress) {
    this.admin = admin;
    this.observer = observer;
    this.executor = new StepExecutor(admin, observer, waiter, progress);
    this.waiter = waiter;
    this.journal = journal;
    this.progress = progress;
  }

  /**
   * Adds a fresh node: as an empty primary, or as a replica of {@code primaryId} (or, when {@code
   * autoReplica}, of the primary with the fewest replicas).
   *
   * @return the new node's id
   */
  public String add(
      NodeAddress existing, NodeAddress fresh, String primaryId, boolean autoReplica) {
    return add(observer.observe(List.of(existing)), existing, fresh, primaryId, autoReplica);
  }

  /** The same, with a view of the cluster just observed through {@code existing}. */
  public String add(
      ClusterView view,
      NodeAddress existing,
      NodeAddress fresh,
      String primaryId,
      boolean autoReplica) {
    NodeReport seed = view.report(existing).orElseThrow();
    if (!seed.reachable()) {
      throw new RedisAdminException(seed.error());
    }
    NodeReport n = observer.report(fresh);
    if (!n.reachable()) {
      throw new RedisAdminException(n.error());
    }
    if (view.reachableIds().contains(n.id())) {
      throw new PlanningException(fresh + " is already a member of this cluster");
    }
    if (n.known().size() > 1 || !n.self().slots().isEmpty()) {
      throw new PlanningException(
          fresh
              + " already belongs to a cluster (it knows "
              + (n.known().size() - 1)
              + " other nodes); use a fresh node");
    }
    if (n.keys() > 0) {
      throw new PlanningException(
          fresh + " holds " + n.keys() + " keys; only an empty node can join");
    }
    String primary = primaryId;
    if (primary == null && autoReplica) {
      primary =
          view.slotOwners().stream()
              .min(
                  Comparator.comparingInt((NodeReport p) -> view.replicasOf(p.id()).size())
                      .thenComparing(NodeReport::address))
              .orElseThrow(
                  () -> new PlanningException("the cluster has no primary that owns slots"))
              .id();
    }
    NodeReport primaryReport = null;
    if (primary != null) {
      final String pid = primary;
      primaryReport =
          view.node(pid)
              .filter(p -> p.self().primary())
              .orElseThrow(
                  () ->
                      new PlanningException(
                          "node " + pid + " is not a live primary of this cluster"));
    }
    // A new primary says cluster_state:ok only once min(node timeout, 5 s), at least 0.5 s, has
    // passed since it last saw too few primaries (as it does until it has met them): the shortest
    // node timeout Redis heeds there keeps that wait at its floor while the node joins.
    try (TemporaryConfig config = new TemporaryConfig(admin, journal, progress)) {
      config.lower(
          fresh,
          TemporaryConfig.NODE_TIMEOUT,
          TemporaryConfig.JOINING_NODE_TIMEOUT,
          "joining will take longer");
      // The new node meets every member itself: each hears of it at once instead of by gossip,
      // which takes a second or more to reach every node of a cluster. It meets the slot owners
      // first and is told each one's slots as soon as it knows that owner (teachSlotMap), the
      // other members only then: it should not list every member while it lacks an owner.
      List<NodeReport> reachable = view.reachable();
      Map<String, List<Integer>> byOwner = agreedOwners(view);
      try (SlotPipeline teacher = teacher(fresh)) {
        admin.node(existing).meet(fresh, n.self().busPort());
        meetAll(
            fresh, existing, reachable.stream().filter(m -> byOwner.containsKey(m.id())).toList());
        teachSlotMap(teacher, fresh, byOwner);
      }
      meetAll(
          fresh, existing, reachable.stream().filter(m -> !byOwner.containsKey(m.id())).toList());
      progress.accept("introduced " + fresh + " to the cluster through " + existing);
      List<NodeAddress> members =
          new java.util.ArrayList<>(reachable.stream().map(NodeReport::address).toList());
      members.add(fresh);
      executor.awaitAgreement(members);
      if (primaryReport != null) {
        // Otherwise the primary waits repl-diskless-sync-delay (5 s by default) for more replicas
        // before it streams its dataset.
        config.lower(
            primaryReport.address(),
            TemporaryConfig.SYNC_DELAY,
            0,
            "the replica syncs at the server's pace");
        admin.node(fresh).replicate(primaryReport.id());
        progress.accept("made " + fresh + " a replica of " + primaryReport.address());
        executor.awaitAgreement(members);
        executor.awaitReplicasInSync(List.of(fresh));
      }
      // A new primary refuses data (CLUSTERDOWN) until it says cluster_state:ok.
      executor.awaitClusterOk(List.of(fresh));
    }
    return n.id();
  }

  /** {@code fresh} meets each of {@code members} but {@code existing} (which met it already). */
  private void meetAll(NodeAddress fresh, NodeAddress existing, List<NodeReport> members) {
    for (NodeReport member : members) {
      if (!member.address().equals(existing)) {
        try {
          admin.node(fresh).meet(member.address(), member.self().busPort());
        } catch (RedisAdminException e) {
          // A handshake towards that address is under way already: it carries the news too.
          // (A member it cannot reach at that address still hears of it by gossip.)
        }
      }
    }
  }

  /**
   * A pipeline to the new node, ready to teach it the slot map (its connection open and its script
   * support asked) before the handshakes start; null if it cannot be opened.
   */
  private SlotPipeline teacher(NodeAddress fresh) {
    SlotPipeline p = null;
    try {
      p = admin.pipeline(fresh);
      p.teachKnownOwners(Map.of()).get();
      return p;
    } catch (EngineException e) {
      if (p != null) {
        p.close();
      }
      progress.accept(fresh + " will learn the slot owners by gossip: " + e.getMessage());
      return null;
    }
  }

  /**
   * Tells a node that is meeting the members which of them owns each slot, each owner's slots the
   * moment it knows that owner by id (asked again and again, each time checked and set in one step
   * on the node). By gossip alone it learns the owners of other shards over seconds (a member's
   * slots come with that member's own next ping), while gossip makes it list every member within a
   * round trip: a cluster client that refreshes its slot map then may take this node's view
   * (Lettuce takes the view that knows the most nodes, ties at random), with whole shards missing,
   * and fail its requests to them ("cannot determine a partition", CLUSTERDOWN) until its next
   * refresh.
   *
   * <p>Only slots on which every member that answered agrees are told, and only to a node without
   * slots or keys (add() checked that): its own table is all it changes; it claims nothing, and
   * gossip with a newer epoch still overrides it. A slot left out is learnt by gossip as before.
   */
  private void teachSlotMap(
      SlotPipeline teacher, NodeAddress fresh, Map<String, List<Integer>> byOwner) {
    if (teacher == null || byOwner.isEmpty()) {
      return;
    }
    Map<String, List<Integer>> untaught = new java.util.LinkedHashMap<>(byOwner);
    try {
      // One round trip after another while the handshakes last (a few hundred at most, each a
      // small script); bounded, as gossip teaches the node anyway.
      new Waiter(java.time.Duration.ofSeconds(5), java.time.Duration.ZERO)
          .await(
              "for " + fresh + " to know every slot owner by its id",
              () -> {
                untaught.keySet().removeAll(teacher.teachKnownOwners(untaught).get());
                return untaught.isEmpty() ? null : untaught.size() + " owner(s) not met yet";
              });
    } catch (EngineException e) {
      // Gossip teaches it all the same, only later.
      progress.accept(fresh + " will learn the slot owners by gossip: " + e.getMessage());
    }
  }

  /** The owner of each slot, for the slots on which every reachable member agrees, by owner. */
  static Map<String, List<Integer>> agreedOwners(ClusterView view) {
    Map<String, List<Integer>> byOwner = new java.util.LinkedHashMap<>();
    List<NodeReport> members = view.reachable();
    if (members.isEmpty() || !view.unreachable().isEmpty()) {
      return byOwner;
    }
    List<String[]> maps = members.stream().map(view::slotMapOf).toList();
    for (int slot = 0; slot < maps.get(0).length; slot++) {
      String owner = maps.get(0)[slot];
      boolean agreed = owner != null;
      for (int m = 1; agreed && m < maps.size(); m++) {
        agreed = owner.equals(maps.get(m)[slot]);
      }
      if (agreed) {
        byOwner.computeIfAbsent(owner, k -> new java.util.ArrayList<>()).add(slot);
      }
    }
    return byOwner;
  }

  /**
   * Waits until no application has sent a command to a node for {@link #CLIENT_QUIET} (bounded by
   * {@link #CLIENT_WAIT}). A client with a stale slot map still sends to a drained node, which
   * answers MOVED until the client refreshes its map; resetting or stopping the node before then
   * would turn those redirects into errors.
   */
  private void awaitClientsGone(NodeAddress address) {
    boolean[] said = {false};
    try {
      new Waiter(CLIENT_WAIT, java.time.Duration.ofMillis(200))
          .await(
              "for applications to leave " + address,
              () -> {
                List<Long> idle;
                try {
                  idle = admin.node(address).applicationClientIdleSeconds();
                } catch (RedisAdminException e) {
                  return null;
                }
                if (idle.stream().allMatch(sec -> sec >= CLIENT_QUIET.toSeconds())) {
                  return null;
                }
                if (!said[0]) {
                  progress.accept(
                      "waiting for applications to stop sending commands to "
                          + address
                          + " (they follow MOVED until they refresh their slot map)");
                  said[0] = true;
                }
                return idle.size() + " application connection(s) still active";
              });
    } catch (OperationTimeoutException e) {
      progress.accept(
          "applications still send commands to "
              + address
              + " after "
              + CLIENT_WAIT.toSeconds()
              + " s; removing it anyway");
    }
  }

  /**
   * A view, observed now, in which every node but {@code nodeId} answered and none holds {@code
   * nodeId} for a primary that owns slots. A node that still does (a failover that made it a
   * replica has not reached it yet) would drop those slots from its map on FORGET and answer
   * CLUSTERDOWN until gossip brings them back: that news is waited for. A node that cannot be
   * observed might hold anything: it refuses the removal.
   */
  private ClusterView awaitForgettable(NodeAddress existing, String nodeId) {
    ClusterView[] latest = new ClusterView[1];
    waiter.await(
        "for every node to see " + nodeId + " as a node without slots",
        () -> {
          ClusterView view = observer.observe(List.of(existing));
          String unobserved = unobservedOther(view, nodeId);
          if (unobserved != null) {
            throw new PlanningException("cannot remove " + nodeId + ": " + unobserved);
          }
          latest[0] = view;
          return staleOwnerView(view, nodeId);
        });
    return latest[0];
  }

  /** A node other than {@code nodeId} that some node knows but that did not answer; or null. */
  static String unobservedOther(ClusterView view, String nodeId) {
    for (String id : view.unobservedIds()) {
      if (!id.equals(nodeId)) {
        return "node "
            + view.record(id).map(r -> id + " (" + r.address() + ")").orElse(id)
            + " cannot be observed, and every node must agree before one is forgotten";
      }
    }
    return null;
  }

  /** A node whose own view still has {@code nodeId} as a primary that owns slots; or null. */
  static String staleOwnerView(ClusterView view, String nodeId) {
    for (NodeReport r : view.reachable()) {
      if (r.id().equals(nodeId)) {
        continue;
      }
      var rec = r.about(nodeId);
      if (rec.isPresent() && rec.get().primary() && !rec.get().slots().isEmpty()) {
        return r.address()
            + " still sees it as the primary of "
            + rec.get().slots().size()
            + " slots";
      }
    }
    return null;
  }

  static final java.time.Duration CLIENT_QUIET = java.time.Duration.ofSeconds(2);
  static final java.time.Duration CLIENT_WAIT = java.time.Duration.ofSeconds(60);

  /**
   * Removes a node that owns no slots: its replicas (if it is a primary) move to other primaries,
   * every other node forgets it, and it is reset so that it cannot rejoin by gossip.
   */
  public void remove(NodeAddress existing, String nodeId) {
    ClusterView view = observer.observe(List.of(existing));
    var rec =
        view.record(nodeId)
            .orElseThrow(() -> new PlanningException("no node " + nodeId + " in the cluster"));
    if (rec.primary() && !rec.slots().isEmpty()) {
      throw new PlanningException(
          "node "
              + nodeId
              + " is a primary that owns "
              + rec.slots().size()
              + " slots; drain it first (slotwise cluster drain "
              + existing
              + " "
              + nodeId
              + ")");
    }
    if (view.reachable().stream().filter(r -> !r.id().equals(nodeId)).findAny().isEmpty()) {
      throw new PlanningException("cannot remove the last reachable node");
    }
    // Refused before anything changes (a replica moved by REPLICATE, a client wait), not only
    // before the FORGETs: the same check is made again on every look while waiting.
    String unobserved = unobservedOther(view, nodeId);
    if (unobserved != null) {
      throw new PlanningException("cannot remove " + nodeId + ": " + unobserved);
    }
    for (NodeReport replica : view.replicasOf(nodeId)) {
      NodeReport target =
          view.slotOwners().stream()
              .filter(p -> !p.id().equals(nodeId))
              .min(Comparator.comparingInt((NodeReport p) -> view.replicasOf(p.id()).size()))
              .orElseThrow(
                  () ->
                      new PlanningException("no other primary to take the replicas of " + nodeId));
      admin.node(replica.address()).replicate(target.id());
      progress.accept("moved replica " + replica.address() + " to " + target.address());
    }
    view.node(nodeId).ifPresent(r -> awaitClientsGone(r.address()));
    ClusterView now = awaitForgettable(existing, nodeId);
    for (NodeReport r : now.reachable()) {
      if (!r.id().equals(nodeId) && r.about(nodeId).isPresent()) {
        admin.node(r.address()).forget(nodeId);
      }
    }
    progress.accept("every node forgot " + nodeId);
    view.node(nodeId)
        .ifPresent(
            r -> {
              try {
                admin.node(r.address()).reset(true);
                progress.accept(
                    "reset " + r.address() + "; it is now an empty node outside the cluster");
              } catch (RedisAdminException e) {
                progress.accept("could not reset " + r.address() + ": " + e.getMessage());
              }
            });
  }
}
