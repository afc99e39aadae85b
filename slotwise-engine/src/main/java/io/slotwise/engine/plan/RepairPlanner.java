package io.slotwise.engine.plan;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ClusterView.OpenSlot;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.plan.RepairPlan.Blocked;
import io.slotwise.engine.plan.RepairPlan.BumpEpoch;
import io.slotwise.engine.plan.RepairPlan.Cause;
import io.slotwise.engine.plan.RepairPlan.CoverSlots;
import io.slotwise.engine.plan.RepairPlan.DropHandshake;
import io.slotwise.engine.plan.RepairPlan.Forget;
import io.slotwise.engine.plan.RepairPlan.Promote;
import io.slotwise.engine.plan.RepairPlan.Repair;
import io.slotwise.engine.plan.RepairPlan.Replicate;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides how to repair a cluster, losing no key: a pure function of what was observed (a {@link
 * ClusterView} and the keys each primary holds per slot) and the {@link RepairOptions}. The rules:
 *
 * <ul>
 *   <li>A node that other nodes know, that nobody flagged failed and that could not be observed
 *       (timeout, loading, refused) is <em>unobservable</em>: its slot claims and keys are unknown,
 *       so it blocks every FORGET, every ADDSLOTS, every REPLICATE and every repair of a slot it
 *       claims or takes part in. The rest goes on.
 *   <li>A slot is only covered (ADDSLOTS) when no node claims it in any node's view and every node
 *       was observed; it goes to the node holding most of its keys, else to the primary with fewest
 *       slots.
 *   <li>A failed primary (flagged {@code fail} by Redis) that still owns slots has a replica
 *       promoted ({@code FORCE}, an election; {@code TAKEOVER} only when asked), a replica that
 *       finished its first sync and lost its primary recently; the most advanced wins. Without such
 *       a replica its slots wait for it: nothing touches them, and it is never forgotten, unless
 *       the loss of its keys is accepted.
 *   <li>Each slot that is open, claimed by several primaries, or has keys on a node that does not
 *       own it, ends on one owner with every key: for an open slot, the migration's target when it
 *       is a live primary (or an importing node that already holds keys), else the owner; for a
 *       conflict, the claimant with the highest config epoch (a tie: most keys, and the winner
 *       bumps its epoch).
 *   <li>Failed nodes that own nothing are forgotten only once no slot is open and no key sits on a
 *       node that does not own its slot.
 * </ul>
 *
 * <p>Repairs come in stages (see {@link RepairPlan}): handshakes, promotions, covering, settling
 * slots, forgetting, replicas following live primaries, epoch bumps, spreading replicas.
 */
public final class RepairPlanner {
  /** A replica whose link to its primary has been down longer than this is not promoted. */
  public static final long MAX_LINK_DOWN_SECONDS = 3600;

  private final ClusterView view;
  private final SlotKeys keys;
  private final RepairOptions options;
  private final List<Repair> repairs = new ArrayList<>();
  private final List<Blocked> blocked = new ArrayList<>();
  private final Map<String, String> unobservable = new TreeMap<>();
  private final Set<String> dead = new TreeSet<>();
  private final Set<String> flaggedFailed = new TreeSet<>();
  private final List<List<String>> selfClaims;
  private final Map<String, BitSet> claimedInAnyView = new HashMap<>();
  private final BitSet handled = new BitSet(HashSlots.COUNT);
  private final Map<Integer, List<OpenSlot>> open;

  private RepairPlanner(ClusterView view, SlotKeys keys, RepairOptions options) {
    this.view = view;
    this.keys = keys;
    this.options = options;
    this.selfClaims = view.claimedOwners();
    this.open = view.openSlots();
  }

  public static RepairPlan plan(ClusterView view, SlotKeys keys, RepairOptions options) {
    RepairPlanner p = new RepairPlanner(view, keys, options);
    p.classify();
    p.handshakes();
    p.deadOwners();
    p.cover();
    p.settle();
    p.forget();
    p.orphans();
    p.bumps();
    p.spread();
    List<Repair> ordered = new ArrayList<>(p.repairs);
    ordered.sort(Comparator.comparingInt(Repair::stage));
    return new RepairPlan(ordered, p.blocked);
  }

  /** Ids of known nodes that could not be observed and are not flagged failed, with why. */
  public static Map<String, String> unobservable(ClusterView view) {
    RepairPlanner p = new RepairPlanner(view, SlotKeys.NONE, RepairOptions.SAFE);
    p.classify();
    return p.unobservable;
  }

  // ---- what the view says -------------------------------------------------------------------

  private void classify() {
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.primary() && !rec.handshake() && !rec.slots().isEmpty()) {
          claimedInAnyView
              .computeIfAbsent(rec.id(), k -> new BitSet(HashSlots.COUNT))
              .or(rec.slots().toBitSet());
        }
      }
    }
    for (String id : view.unobservedIds()) {
      Map<String, NodeRecord> ops = view.opinionsAbout(id);
      if (ops.values().stream().anyMatch(NodeRecord::failed)) {
        dead.add(id);
        flaggedFailed.add(id);
      } else if (ops.values().stream().anyMatch(NodeRecord::noAddress)) {
        dead.add(id);
      } else {
        unobservable.put(id, whyUnobservable(ops));
      }
    }
  }

  private String whyUnobservable(Map<String, NodeRecord> ops) {
    for (NodeRecord rec : ops.values()) {
      if (rec.address() != null) {
        NodeReport r = view.report(rec.address()).orElse(null);
        if (r != null && !r.reachable()) {
          return r.error();
        }
        if (r != null) {
          return "it answers at " + rec.address() + " with another node id";
        }
        return "it was not observed at " + rec.address();
      }
    }
    return "it was not observed";
  }

  /**
   * Nodes said to own the slot, in any node's view; a live primary's own word about itself wins.
   */
  private Set<String> claimants(int slot) {
    Set<String> out = new TreeSet<>();
    claimedInAnyView.forEach(
        (id, bits) -> {
          if (!bits.get(slot)) {
            return;
          }
          NodeReport n = view.node(id).orElse(null);
          if (n != null && n.self().primary() && !n.self().slots().contains(slot)) {
            return;
          }
          out.add(id);
        });
    return out;
  }

  private boolean livePrimary(String id) {
    return id != null && view.node(id).map(n -> n.self().primary()).orElse(false);
  }

  private String name(String id) {
    if (id == null) {
      return "nobody";
    }
    String shortId = id.length() > 8 ? id.substring(0, 8) : id;
    return view.record(id)
        .map(r -> shortId + " (" + (r.address() == null ? "no address" : r.address()) + ")")
        .orElse(shortId);
  }

  private String address(String id) {
    return view.node(id).map(n -> n.address().toString()).orElse(name(id));
  }

  private String firstUnobservable(Set<String> ids) {
    return ids.stream().filter(unobservable::containsKey).findFirst().orElse(null);
  }

  private String anyUnobservable() {
    return unobservable.isEmpty() ? null : unobservable.keySet().iterator().next();
  }

  private String unobservableReason(String id, String consequence) {
    return name(id) + " cannot be observed (" + unobservable.get(id) + "), so " + consequence;
  }

  private long keysOf(String id, int slot) {
    return keys.keys(id, slot);
  }

  /** Live primaries holding keys of the slot, most keys first. */
  private Map<String, Long> holders(int slot) {
    Map<String, Long> out = new LinkedHashMap<>();
    keys.holders(slot).entrySet().stream()
        .filter(e -> livePrimary(e.getKey()))
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  // ---- stages --------------------------------------------------------------------------------

  private void handshakes() {
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.handshake()) {
          repairs.add(
              new DropHandshake(
                  r.id(),
                  rec.id(),
                  "made "
                      + r.address()
                      + " drop its handshake with "
                      + (rec.address() == null ? rec.id() : rec.address())));
        }
      }
    }
  }

  /** Slots a failed node owns that no live primary claims for itself. */
  private SlotSet ownedByDead(String id) {
    BitSet bits = (BitSet) claimedInAnyView.getOrDefault(id, new BitSet()).clone();
    for (int s = bits.nextSetBit(0); s >= 0; s = bits.nextSetBit(s + 1)) {
      if (!selfClaims.get(s).isEmpty() || !claimants(s).contains(id)) {
        bits.clear(s);
      }
    }
    return SlotSet.of(bits);
  }

  private void deadOwners() {
    for (String id : dead) {
      SlotSet owned = ownedByDead(id);
      if (owned.isEmpty()) {
        continue;
      }
      handled.or(owned.toBitSet());
      List<NodeReport> replicas = view.replicasOf(id);
      if (!replicas.isEmpty() && !flaggedFailed.contains(id)) {
        blocked.add(
            new Blocked(
                Cause.FAILED_NODE,
                "slots " + owned + " of " + name(id),
                id,
                "it has no address but Redis has not flagged it failed; no replica is promoted"
                    + " before it does"));
      } else if (!replicas.isEmpty()) {
        promote(id, owned, replicas);
      } else if (options.acceptDataLoss()) {
        // Forgotten in the forget stage, once slots are settled; its slots are covered after.
        continue;
      } else {
        blocked.add(
            new Blocked(
                Cause.FAILED_NODE,
                "slots " + owned + " of failed primary " + name(id),
                id,
                "it has no replica; they wait for it to come back with its data (only accepting"
                    + " the loss of their keys lets other nodes serve them)"));
      }
    }
  }

  private void promote(String primaryId, SlotSet owned, List<NodeReport> replicas) {
    List<NodeReport> fit = new ArrayList<>();
    List<String> unfit = new ArrayList<>();
    for (NodeReport r : replicas) {
      String why = unfitForPromotion(r);
      if (why == null) {
        fit.add(r);
      } else {
        unfit.add(r.address() + " " + why);
      }
    }
    if (fit.isEmpty()) {
      blocked.add(
          new Blocked(
              Cause.FAILED_NODE,
              "slots " + owned + " of failed primary " + name(primaryId),
              primaryId,
              "no replica of it can safely take over: " + String.join("; ", unfit)));
      return;
    }
    NodeReport heir =
        fit.stream()
            .max(
                Comparator.comparingLong(NodeReport::replicationOffset)
                    .thenComparing(NodeReport::address, Comparator.reverseOrder()))
            .orElseThrow();
    FailoverMode mode = options.takeover() ? FailoverMode.TAKEOVER : FailoverMode.FORCE;
    repairs.add(
        new Promote(
            heir.id(),
            primaryId,
            mode,
            "promoted "
                + heir.address()
                + " in place of failed primary "
                + name(primaryId)
                + " ("
                + (mode == FailoverMode.TAKEOVER ? "takeover" : "election")
                + ")"));
  }

  /** Why a replica must not be promoted, or null. */
  static String unfitForPromotion(NodeReport r) {
    Map<String, String> repl = r.replication();
    if ("up".equals(repl.get("master_link_status"))) {
      return "is still connected to its primary";
    }
    if ("1".equals(repl.get("master_sync_in_progress"))) {
      return "has not finished its first sync";
    }
    if (r.replicationOffset() <= 0) {
      return "never synced with its primary";
    }
    String down = repl.get("master_link_down_since_seconds");
    if (down != null) {
      try {
        long s = Long.parseLong(down.trim());
        if (s < 0 || s > MAX_LINK_DOWN_SECONDS) {
          return "lost its primary " + s + " s ago, too long to trust its data";
        }
      } catch (NumberFormatException e) {
        return "reports an unreadable master_link_down_since_seconds";
      }
    }
    return null;
  }

  private void cover() {
    BitSet waitingForU = new BitSet();
    Map<String, BitSet> claimedByUnobservable = new TreeMap<>();
    Map<String, BitSet> claimedByReplica = new TreeMap<>();
    String u = anyUnobservable();
    Map<String, BitSet> give = new LinkedHashMap<>();
    BitSet empty = new BitSet();
    for (int s = 0; s < HashSlots.COUNT; s++) {
      if (!selfClaims.get(s).isEmpty() || handled.get(s) || open.containsKey(s)) {
        continue;
      }
      Set<String> c = claimants(s);
      if (!c.isEmpty()) {
        handled.set(s);
        String cu = firstUnobservable(c);
        if (cu != null) {
          claimedByUnobservable.computeIfAbsent(cu, k -> new BitSet()).set(s);
        } else {
          for (String id : c) {
            if (view.node(id).isPresent()) {
              claimedByReplica.computeIfAbsent(id, k -> new BitSet()).set(s);
              break;
            }
          }
        }
        // Owned by a failed node: deadOwners() said what happens to it.
        continue;
      }
      handled.set(s);
      if (u != null) {
        waitingForU.set(s);
        continue;
      }
      Map<String, Long> h = holders(s);
      if (!h.isEmpty()) {
        give.computeIfAbsent(h.keySet().iterator().next(), k -> new BitSet()).set(s);
      } else {
        empty.set(s);
      }
    }
    claimedByUnobservable.forEach(
        (id, bits) ->
            blocked.add(
                new Blocked(
                    Cause.UNCOVERED_SLOTS,
                    "slots " + SlotSet.of(bits) + " of " + name(id),
                    id,
                    unobservableReason(id, "nothing is done to the slots it is said to own"))));
    claimedByReplica.forEach(
        (id, bits) ->
            blocked.add(
                new Blocked(
                    Cause.UNCOVERED_SLOTS,
                    "slots " + SlotSet.of(bits),
                    id,
                    name(id)
                        + " is said to own them but is not a primary (a failover may be under"
                        + " way)")));
    if (!waitingForU.isEmpty()) {
      blocked.add(
          new Blocked(
              Cause.UNCOVERED_SLOTS,
              "slots " + SlotSet.of(waitingForU),
              u,
              unobservableReason(u, "its slot claims are unknown and no slot is assigned")));
    }
    give.forEach(
        (id, bits) ->
            repairs.add(
                new CoverSlots(
                    id,
                    SlotSet.of(bits),
                    SlotSet.EMPTY,
                    "assigned uncovered slots "
                        + SlotSet.of(bits)
                        + " to "
                        + address(id)
                        + ", which holds their keys")));
    if (empty.isEmpty()) {
      return;
    }
    List<NodeReport> primaries = view.primaries();
    if (primaries.isEmpty()) {
      blocked.add(
          new Blocked(
              Cause.UNCOVERED_SLOTS,
              "slots " + SlotSet.of(empty),
              null,
              "no live primary can take them"));
      return;
    }
    Map<String, Integer> load = new LinkedHashMap<>();
    primaries.forEach(p -> load.put(p.id(), p.self().slots().size()));
    give.forEach((id, bits) -> load.merge(id, bits.cardinality(), Integer::sum));
    Map<String, BitSet> spread = new LinkedHashMap<>();
    SlotSet emptySet = SlotSet.of(empty);
    for (int[] r : emptySet.ranges()) {
      String least =
          load.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
      spread.computeIfAbsent(least, k -> new BitSet()).set(r[0], r[1] + 1);
      load.merge(least, r[1] - r[0] + 1, Integer::sum);
    }
    spread.forEach(
        (id, bits) -> {
          SlotSet slots = SlotSet.of(bits);
          repairs.add(
              new CoverSlots(
                  id,
                  slots,
                  slots,
                  slots.size()
                      + " slots had no owner and no node holds keys in them: "
                      + slots
                      + "; any data they held is gone. Assigned them to "
                      + address(id)
                      + " so the cluster can serve again."));
        });
  }

  private void settle() {
    Set<Integer> slots = new TreeSet<>(open.keySet());
    for (int s = 0; s < HashSlots.COUNT; s++) {
      if (selfClaims.get(s).size() > 1) {
        slots.add(s);
      }
    }
    for (NodeReport p : view.primaries()) {
      for (int s : keys.of(p.id()).keySet()) {
        if (!p.self().slots().contains(s)) {
          slots.add(s);
        }
      }
    }
    for (int s : slots) {
      if (handled.get(s) && !open.containsKey(s)) {
        continue;
      }
      settle(s);
    }
  }

  private void settle(int slot) {
    List<String> self = selfClaims.get(slot);
    List<OpenSlot> o = open.getOrDefault(slot, List.of());
    Map<String, Long> h = holders(slot);
    Cause cause =
        self.size() > 1
            ? Cause.SLOT_CONFLICT
            : !o.isEmpty() ? Cause.OPEN_SLOT : Cause.KEYS_IN_UNOWNED_SLOT;
    String subject = "slot " + slot;
    Set<String> involved = new TreeSet<>(claimants(slot));
    o.forEach(x -> involved.add(x.peerId()));
    String u = firstUnobservable(involved);
    if (u != null) {
      handled.set(slot);
      blocked.add(
          new Blocked(
              cause,
              subject,
              u,
              unobservableReason(u, "the slot, which it owns or takes part in, is left as it is")));
      return;
    }
    String owner;
    boolean bump = false;
    String how;
    if (self.size() > 1) {
      List<String> ranked = new ArrayList<>(self);
      ranked.sort(
          Comparator.comparingLong((String id) -> epochOf(id))
              .reversed()
              .thenComparing(Comparator.comparingLong((String id) -> keysOf(id, slot)).reversed())
              .thenComparing(Comparator.naturalOrder()));
      owner = ranked.get(0);
      bump = epochOf(ranked.get(0)) == epochOf(ranked.get(1));
      how =
          "slot "
              + slot
              + " was claimed by "
              + self.size()
              + " primaries; kept it on "
              + address(owner)
              + (bump ? " (equal config epochs: it bumps its own)" : " (highest config epoch)");
    } else if (self.size() == 1) {
      String current = self.get(0);
      owner = destination(current, o, h);
      if (o.isEmpty()) {
        how =
            "moved the keys of slot "
                + slot
                + " that sat on nodes not owning it to "
                + address(owner);
      } else {
        how =
            (owner.equals(current) ? "rolled back" : "finished")
                + " the migration of slot "
                + slot
                + " (now on "
                + address(owner)
                + ")";
      }
    } else {
      Set<String> c = claimants(slot);
      if (!c.isEmpty()) {
        // Said to be owned by a failed primary or by a replica: deadOwners()/cover() named it.
        if (!handled.get(slot)) {
          blocked.add(
              new Blocked(
                  cause,
                  subject,
                  c.iterator().next(),
                  "it is said to be owned by "
                      + name(c.iterator().next())
                      + ", which is not a live primary"));
        }
        handled.set(slot);
        return;
      }
      String any = anyUnobservable();
      if (any != null && !h.isEmpty()) {
        handled.set(slot);
        blocked.add(
            new Blocked(
                cause,
                subject,
                any,
                unobservableReason(
                    any, "its slot claims are unknown and the slot is not given to a node")));
        return;
      }
      owner = null;
      for (OpenSlot x : o) {
        if (x.kind() == OpenSlot.Kind.IMPORTING && h.containsKey(x.nodeId())) {
          owner = x.nodeId();
          break;
        }
      }
      if (owner == null && !h.isEmpty()) {
        owner = h.keySet().iterator().next();
      }
      how =
          owner == null
              ? "closed slot " + slot + ", which nobody owns and no node holds keys of"
              : "gave slot "
                  + slot
                  + ", which nobody owned, to "
                  + address(owner)
                  + ", which holds its keys";
    }
    handled.set(slot);
    List<String> sources = new ArrayList<>();
    for (String id : h.keySet()) {
      if (!id.equals(owner)) {
        sources.add(id);
      }
    }
    Set<String> closeOn = new LinkedHashSet<>();
    o.forEach(x -> closeOn.add(x.nodeId()));
    closeOn.addAll(sources);
    repairs.add(new RepairPlan.SettleSlot(cause, slot, owner, sources, closeOn, bump, how));
  }

  private long epochOf(String id) {
    return view.node(id).map(n -> n.self().configEpoch()).orElse(-1L);
  }

  /** Where the keys of an open slot end: the migration's target if it can take them. */
  private String destination(String owner, List<OpenSlot> o, Map<String, Long> h) {
    for (OpenSlot x : o) {
      if (x.kind() == OpenSlot.Kind.MIGRATING
          && x.nodeId().equals(owner)
          && livePrimary(x.peerId())) {
        return x.peerId();
      }
    }
    for (OpenSlot x : o) {
      if (x.kind() == OpenSlot.Kind.IMPORTING
          && !x.nodeId().equals(owner)
          && h.getOrDefault(x.nodeId(), 0L) > 0) {
        return x.nodeId();
      }
    }
    return owner;
  }

  private void forget() {
    SlotSet unsettled = unsettledSlots();
    String u = anyUnobservable();
    for (String id : dead) {
      SlotSet owned = ownedByDead(id);
      boolean promoting = !owned.isEmpty() && !view.replicasOf(id).isEmpty();
      if (promoting || (!owned.isEmpty() && !options.acceptDataLoss())) {
        continue;
      }
      String subject = "forgetting failed node " + name(id);
      if (u != null) {
        blocked.add(
            new Blocked(
                Cause.FAILED_NODE,
                subject,
                u,
                unobservableReason(u, "it may still see " + name(id) + " own slots")));
        continue;
      }
      if (!unsettled.isEmpty()) {
        blocked.add(
            new Blocked(
                Cause.FAILED_NODE,
                subject,
                null,
                "waits until slots " + unsettled + " are settled (no node is forgotten before)"));
        continue;
      }
      String what =
          owned.isEmpty()
              ? "forgot ghost " + name(id) + " on every node"
              : "forgot failed primary "
                  + name(id)
                  + " on every node, accepting the loss of its keys: the data of slots "
                  + owned
                  + " is gone";
      repairs.add(new Forget(id, owned, what));
    }
  }

  /** Slots open, or with keys on a node that does not own them. */
  private SlotSet unsettledSlots() {
    BitSet bits = new BitSet();
    open.keySet().forEach(bits::set);
    for (NodeReport p : view.primaries()) {
      for (int s : keys.of(p.id()).keySet()) {
        if (!p.self().slots().contains(s)) {
          bits.set(s);
        }
      }
    }
    return SlotSet.of(bits);
  }

  private final Map<String, Integer> replicaCount = new LinkedHashMap<>();

  private void orphans() {
    view.slotOwners().forEach(p -> replicaCount.put(p.id(), view.replicasOf(p.id()).size()));
    for (NodeReport r : view.reachable()) {
      NodeRecord self = r.self();
      if (!self.replica() || livePrimary(self.primaryId())) {
        continue;
      }
      String pid = self.primaryId();
      if (pid != null && dead.contains(pid) && !ownedByDead(pid).isEmpty()) {
        // It may hold the only copy of those slots: deadOwners() decided.
        continue;
      }
      String subject = "orphaned replica " + r.address();
      String u = pid != null && unobservable.containsKey(pid) ? pid : anyUnobservable();
      if (u != null) {
        blocked.add(
            new Blocked(
                Cause.ORPHANED_REPLICA,
                subject,
                u,
                unobservableReason(u, "no replica is moved to another primary")));
        continue;
      }
      if (replicaCount.isEmpty()) {
        continue;
      }
      String target =
          replicaCount.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
      replicaCount.merge(target, 1, Integer::sum);
      repairs.add(
          new Replicate(
              Cause.ORPHANED_REPLICA,
              r.id(),
              target,
              "made orphaned replica " + r.address() + " follow " + name(target)));
    }
  }

  private void bumps() {
    Set<String> toBump = new LinkedHashSet<>();
    Map<String, BitSet> bumpBlocked = new TreeMap<>();
    for (NodeReport r : view.reachable()) {
      String[] map = view.slotMapOf(r);
      for (int s = 0; s < map.length; s++) {
        List<String> c = selfClaims.get(s);
        if (c.size() == 1 && !c.get(0).equals(map[s]) && !handled.get(s)) {
          String u = firstUnobservable(claimants(s));
          if (u != null) {
            handled.set(s);
            bumpBlocked.computeIfAbsent(u, k -> new BitSet()).set(s);
            continue;
          }
          toBump.add(c.get(0));
        }
      }
    }
    bumpBlocked.forEach(
        (id, bits) ->
            blocked.add(
                new Blocked(
                    Cause.SLOT_MAP_DISAGREEMENT,
                    "slots " + SlotSet.of(bits),
                    id,
                    unobservableReason(id, "no epoch is bumped over its claim"))));
    for (String id : toBump) {
      repairs.add(
          new BumpEpoch(
              id,
              "bumped the config epoch of " + address(id) + " so every node accepts its slots"));
    }
  }

  private void spread() {
    List<ClusterView.Shard> shards =
        view.shards().stream().filter(s -> !s.primary().self().slots().isEmpty()).toList();
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
      String u = anyUnobservable();
      if (u != null) {
        blocked.add(
            new Blocked(
                Cause.UNEVEN_REPLICAS,
                "shard of " + name(least.primary().id()),
                u,
                unobservableReason(u, "no replica is moved to another primary")));
        return;
      }
      NodeReport moving = from.remove(from.size() - 1);
      to.add(moving);
      repairs.add(
          new Replicate(
              Cause.UNEVEN_REPLICAS,
              moving.id(),
              least.primary().id(),
              "moved replica "
                  + moving.address()
                  + " to the shard of "
                  + least.primary().address()));
    }
  }
}
