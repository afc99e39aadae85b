package io.slotwise.engine.health;

import io.slotwise.engine.execute.SlotMover;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ClusterView.OpenSlot;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Repairs what {@link ClusterChecker} names, losing no key. Order matters and is:
 *
 * <ol>
 *   <li>forget nodes stuck in handshake;
 *   <li>ghosts: a node others know but that is failed or reachable by nobody. If it still owns
 *       slots and has a replica, the most caught-up replica takes over first; then every node
 *       forgets it (together, within FORGET's 60 s ban, so gossip cannot bring it back);
 *   <li>orphaned replicas follow the live primary with the fewest replicas;
 *   <li>open slots: a migration whose target is alive and importing (or already holds keys) is
 *       finished; otherwise the keys that left the owner are moved back and the slot is closed;
 *   <li>conflicting claims: the claimant with the most keys in the slot keeps it, the others' keys
 *       are moved to it;
 *   <li>uncovered slots go to a primary that holds keys in them if one does (nothing lost),
 *       otherwise to the primary with the fewest slots, saying that any data they held is gone;
 *   <li>slot-map disagreements: owners bump their epoch so their claim wins;
 *   <li>replicas are moved from the fullest shard to the emptiest while they differ by two or more;
 * </ol>
 *
 * then it waits for the nodes to agree. Each pass re-observes, so running fix twice is harmless.
 */
public final class ClusterFixer {
  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Waiter waiter;
  private final Consumer<String> log;
  private final SlotMover mover;

  public ClusterFixer(
      RedisAdmin admin, ClusterObserver observer, Waiter waiter, Consumer<String> log) {
    this.admin = admin;
    this.observer = observer;
    this.waiter = waiter;
    this.log = log;
    this.mover = new SlotMover(admin, log);
  }

  /** Repairs the cluster the seeds lead to; returns what it did, one line an action. */
  public List<String> fix(Collection<NodeAddress> seeds) {
    List<String> done = new ArrayList<>();
    Consumer<String> act =
        a -> {
          done.add(a);
          log.accept(a);
        };
    for (int pass = 0; pass < 3; pass++) {
      ClusterView view = observer.observe(seeds);
      int before = done.size();
      handshakes(view, act);
      if (ghosts(view, act)) {
        view = observer.observe(seeds);
      }
      orphans(view, act);
      openSlots(view, act);
      view = observer.observe(seeds);
      conflicts(view, act);
      view = observer.observe(seeds);
      uncovered(view, act);
      view = observer.observe(seeds);
      disagreements(view, act);
      unevenReplicas(observer.observe(seeds), act);
      if (done.size() == before) {
        break;
      }
      awaitSettled(seeds);
    }
    return done;
  }

  private void awaitSettled(Collection<NodeAddress> seeds) {
    ClusterView view = observer.observe(seeds);
    List<NodeAddress> live = view.reachable().stream().map(NodeReport::address).toList();
    new StepExecutor(admin, observer, waiter, log).awaitAgreement(live);
  }

  private void handshakes(ClusterView view, Consumer<String> act) {
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.handshake()) {
          tryRun(() -> admin.node(r.address()).forget(rec.id()));
          act.accept(
              "made "
                  + r.address()
                  + " drop its handshake with "
                  + (rec.address() == null ? rec.id() : rec.address()));
        }
      }
    }
  }

  /** A known node that nobody can serve from: failed, without address, or connected to nobody. */
  static Set<String> ghostIds(ClusterView view) {
    Set<String> ghosts = new LinkedHashSet<>();
    for (String id : view.unobservedIds()) {
      Map<String, NodeRecord> opinions = view.opinionsAbout(id);
      boolean failed = opinions.values().stream().anyMatch(r -> r.failed() || r.noAddress());
      boolean connectedToSomeone = opinions.values().stream().anyMatch(NodeRecord::linkConnected);
      if (failed || !connectedToSomeone) {
        ghosts.add(id);
      }
    }
    return ghosts;
  }

  private boolean ghosts(ClusterView view, Consumer<String> act) {
    Set<String> ghosts = ghostIds(view);
    for (String id : ghosts) {
      NodeRecord rec = view.record(id).orElseThrow();
      if (rec.primary() && !rec.slots().isEmpty()) {
        NodeReport heir =
            view.replicasOf(id).stream()
                .max(Comparator.comparingLong(NodeReport::replicationOffset))
                .orElse(null);
        if (heir != null) {
          admin.node(heir.address()).failover(FailoverMode.TAKEOVER);
          waiter.await(
              "for " + heir.address() + " to take over",
              () -> observer.report(heir.address()).self().primary() ? null : "still a replica");
          act.accept(
              "promoted "
                  + heir.address()
                  + " in place of failed primary "
                  + ClusterChecker.name(view, id));
        }
      }
    }
    for (String id : ghosts) {
      for (NodeReport r : view.reachable()) {
        if (r.about(id).isPresent()) {
          tryRun(() -> admin.node(r.address()).forget(id));
        }
      }
      act.accept("forgot ghost " + ClusterChecker.name(view, id) + " on every node");
    }
    return !ghosts.isEmpty();
  }

  private void orphans(ClusterView view, Consumer<String> act) {
    Map<String, Integer> replicaCount = new HashMap<>();
    view.slotOwners().forEach(p -> replicaCount.put(p.id(), view.replicasOf(p.id()).size()));
    for (NodeReport r : view.reachable()) {
      NodeRecord self = r.self();
      if (!self.replica()) {
        continue;
      }
      boolean live =
          self.primaryId() != null
              && view.node(self.primaryId()).map(p -> p.self().primary()).orElse(false);
      if (live || replicaCount.isEmpty()) {
        continue;
      }
      String target =
          replicaCount.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
      admin.node(r.address()).replicate(target);
      replicaCount.merge(target, 1, Integer::sum);
      act.accept(
          "made orphaned replica " + r.address() + " follow " + ClusterChecker.name(view, target));
    }
  }

  private void openSlots(ClusterView view, Consumer<String> act) {
    List<List<String>> claims = view.claimedOwners();
    for (Map.Entry<Integer, List<OpenSlot>> e : view.openSlots().entrySet()) {
      int slot = e.getKey();
      List<String> owners = claims.get(slot);
      String owner = owners.size() == 1 ? owners.get(0) : null;
      if (owner == null) {
        owner = holderWithMostKeys(view, slot);
      }
      if (owner == null) {
        for (OpenSlot o : e.getValue()) {
          view.node(o.nodeId()).ifPresent(n -> admin.node(n.address()).setSlotStable(slot));
        }
        act.accept("closed slot " + slot + ", which nobody owns and no node holds keys of");
        continue;
      }
      String destination = destination(view, slot, owner, e.getValue());
      List<NodeAddress> primaries = view.primaries().stream().map(NodeReport::address).toList();
      NodeClient dst = admin.node(view.node(destination).orElseThrow().address());
      long moved = 0;
      for (NodeReport holder : view.primaries()) {
        if (holder.id().equals(destination)
            || admin.node(holder.address()).countKeysInSlot(slot) == 0) {
          continue;
        }
        NodeClient src = admin.node(holder.address());
        dst.setSlotImporting(slot, holder.id());
        src.setSlotMigrating(slot, destination);
        moved += mover.drain(slot, src, dst);
      }
      // Owner first, then everyone else: no node ever serves the slot without its keys.
      mover.finish(slot, destination, dst, null, primaries);
      // SETSLOT NODE clears IMPORTING only on the node it names; the others (drained above) are
      // closed here.
      for (OpenSlot o : e.getValue()) {
        if (o.kind() == OpenSlot.Kind.IMPORTING && !o.nodeId().equals(destination)) {
          view.node(o.nodeId()).ifPresent(n -> admin.node(n.address()).setSlotStable(slot));
        }
      }
      String how = destination.equals(owner) ? "rolled back" : "finished";
      act.accept(
          how
              + " the migration of slot "
              + slot
              + " (now on "
              + dst.address()
              + ", "
              + moved
              + " keys moved)");
    }
  }

  /** Where the keys of an open slot should end: the migration's target if it can take them. */
  private String destination(ClusterView view, int slot, String owner, List<OpenSlot> open) {
    for (OpenSlot o : open) {
      if (o.kind() == OpenSlot.Kind.MIGRATING && o.nodeId().equals(owner)) {
        String target = o.peerId();
        boolean targetLive = view.node(target).map(t -> t.self().primary()).orElse(false);
        if (targetLive) {
          return target;
        }
      }
    }
    for (OpenSlot o : open) {
      if (o.kind() == OpenSlot.Kind.IMPORTING && !o.nodeId().equals(owner)) {
        NodeReport t = view.node(o.nodeId()).orElse(null);
        if (t != null && t.self().primary() && admin.node(t.address()).countKeysInSlot(slot) > 0) {
          return o.nodeId();
        }
      }
    }
    return owner;
  }

  private String holderWithMostKeys(ClusterView view, int slot) {
    String best = null;
    long bestKeys = 0;
    for (NodeReport p : view.primaries()) {
      if (p.keys() == 0) {
        continue;
      }
      long n = admin.node(p.address()).countKeysInSlot(slot);
      if (n > bestKeys) {
        best = p.id();
        bestKeys = n;
      }
    }
    return best;
  }

  private void conflicts(ClusterView view, Consumer<String> act) {
    List<List<String>> claims = view.claimedOwners();
    for (int slot = 0; slot < claims.size(); slot++) {
      List<String> c = claims.get(slot);
      if (c.size() < 2) {
        continue;
      }
      String winner = holderWithMostKeys(view, slot);
      if (winner == null || !c.contains(winner)) {
        winner = c.get(0);
      }
      NodeReport w = view.node(winner).orElseThrow();
      NodeClient dst = admin.node(w.address());
      for (String loser : c) {
        if (loser.equals(winner)) {
          continue;
        }
        NodeClient src = admin.node(view.node(loser).orElseThrow().address());
        if (src.countKeysInSlot(slot) > 0) {
          dst.setSlotImporting(slot, loser);
          src.setSlotMigrating(slot, winner);
          mover.drain(slot, src, dst);
          dst.setSlotStable(slot);
        }
        src.setSlotNode(slot, winner);
      }
      dst.bumpEpoch();
      act.accept(
          "slot " + slot + " was claimed by " + c.size() + " primaries; kept it on " + w.address());
    }
  }

  private void uncovered(ClusterView view, Consumer<String> act) {
    List<List<String>> claims = view.claimedOwners();
    BitSet free = new BitSet();
    for (int s = 0; s < claims.size(); s++) {
      if (claims.get(s).isEmpty() && unclaimedByLiveOpinion(view, s)) {
        free.set(s);
      }
    }
    if (free.isEmpty() || view.primaries().isEmpty()) {
      return;
    }
    Map<String, BitSet> give = new HashMap<>();
    BitSet lost = new BitSet();
    for (int s = free.nextSetBit(0); s >= 0; s = free.nextSetBit(s + 1)) {
      String holder = holderWithMostKeys(view, s);
      if (holder != null) {
        give.computeIfAbsent(holder, k -> new BitSet()).set(s);
      } else {
        lost.set(s);
      }
    }
    if (!lost.isEmpty()) {
      List<NodeReport> primaries = new ArrayList<>(view.primaries());
      Map<String, Integer> load = new HashMap<>();
      primaries.forEach(p -> load.put(p.id(), p.self().slots().size()));
      SlotSet lostSet = SlotSet.of(lost);
      for (int[] r : lostSet.ranges()) {
        String least =
            load.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        give.computeIfAbsent(least, k -> new BitSet()).set(r[0], r[1] + 1);
        load.merge(least, r[1] - r[0] + 1, Integer::sum);
      }
      act.accept(
          lostSet.size()
              + " slots had no owner and no node holds keys in them: "
              + lostSet
              + "; any data they held is gone. Assigning them so the cluster can serve again.");
    }
    give.forEach(
        (id, bits) -> {
          NodeReport p = view.node(id).orElseThrow();
          SlotSet slots = SlotSet.of(bits);
          admin.node(p.address()).addSlots(slots);
          admin.node(p.address()).bumpEpoch();
          act.accept("assigned uncovered slots " + slots + " to " + p.address());
        });
  }

  /**
   * False while some node believes the slot belongs to a reachable node that is not a primary yet
   * (a replica being promoted may be about to claim it). A dead owner does not count, nor does a
   * reachable primary that does not claim the slot itself: its own word is the truth, the others'
   * belief is stale (it gave the slot up, e.g. by DELSLOTS on it alone).
   */
  private static boolean unclaimedByLiveOpinion(ClusterView view, int slot) {
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.primary()
            && rec.slots().contains(slot)
            && !rec.failed()
            && view.node(rec.id()).map(n -> !n.self().primary()).orElse(false)) {
          return false;
        }
      }
    }
    return true;
  }

  private void disagreements(ClusterView view, Consumer<String> act) {
    List<List<String>> claims = view.claimedOwners();
    Set<String> toBump = new LinkedHashSet<>();
    for (NodeReport r : view.reachable()) {
      String[] map = view.slotMapOf(r);
      for (int s = 0; s < map.length; s++) {
        List<String> c = claims.get(s);
        if (c.size() == 1 && !c.get(0).equals(map[s])) {
          toBump.add(c.get(0));
        }
      }
    }
    for (String id : toBump) {
      NodeReport p = view.node(id).orElseThrow();
      String reply = admin.node(p.address()).bumpEpoch();
      act.accept(
          "bumped the config epoch of "
              + p.address()
              + " ("
              + reply
              + ") so every node accepts its slots");
    }
  }

  private void unevenReplicas(ClusterView view, Consumer<String> act) {
    List<ClusterView.Shard> shards =
        new ArrayList<>(
            view.shards().stream().filter(s -> !s.primary().self().slots().isEmpty()).toList());
    if (shards.size() < 2) {
      return;
    }
    Map<String, List<NodeReport>> replicas = new HashMap<>();
    shards.forEach(s -> replicas.put(s.primary().id(), new ArrayList<>(s.replicas())));
    while (true) {
      ClusterView.Shard most =
          shards.stream()
              .max(Comparator.comparingInt(s -> replicas.get(s.primary().id()).size()))
              .orElseThrow();
      ClusterView.Shard least =
          shards.stream()
              .min(Comparator.comparingInt(s -> replicas.get(s.primary().id()).size()))
              .orElseThrow();
      List<NodeReport> from = replicas.get(most.primary().id());
      List<NodeReport> to = replicas.get(least.primary().id());
      if (from.size() - to.size() < 2) {
        return;
      }
      NodeReport moving = from.remove(from.size() - 1);
      admin.node(moving.address()).replicate(least.primary().id());
      to.add(moving);
      act.accept(
          "moved replica " + moving.address() + " to the shard of " + least.primary().address());
    }
  }

  private static void tryRun(Runnable r) {
    try {
      r.run();
    } catch (RedisAdminException ignored) {
      // The node's table changed under us; the next pass re-observes.
    }
  }
}
