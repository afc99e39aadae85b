package io.slotwise.engine.health;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ClusterView.OpenSlot;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Names every problem a {@link ClusterView} shows. Pure: it reads the view and asks nothing. A
 * healthy cluster yields an empty list.
 */
public final class ClusterChecker {
  private ClusterChecker() {}

  public static List<Problem> check(ClusterView view) {
    return check(view, SlotKeys.NONE);
  }

  /**
   * As {@link #check(ClusterView)}, and names keys that sit on a primary that does not own their
   * slot (not while it imports the slot), from the key counts taken with the view.
   */
  public static List<Problem> check(ClusterView view, SlotKeys keys) {
    List<Problem> out = new ArrayList<>();
    unreachable(view, out);
    uncovered(view, out);
    openSlots(view, out);
    conflictsAndDisagreements(view, out);
    strayKeys(view, keys, out);
    roles(view, out);
    failures(view, out);
    handshakes(view, out);
    orphans(view, out);
    unevenReplicas(view, out);
    replicaSync(view, out);
    clusterState(view, out);
    return out;
  }

  static String name(ClusterView view, String id) {
    return view.record(id)
        .map(r -> shortId(id) + " (" + (r.address() == null ? "no address" : r.address()) + ")")
        .orElse(shortId(id));
  }

  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  private static void unreachable(ClusterView view, List<Problem> out) {
    for (NodeReport r : view.unreachable()) {
      out.add(new Problem(ProblemKind.UNREACHABLE_NODE, r.error()));
    }
  }

  private static void uncovered(ClusterView view, List<Problem> out) {
    List<List<String>> claims = view.claimedOwners();
    BitSet none = new BitSet();
    for (int s = 0; s < claims.size(); s++) {
      if (claims.get(s).isEmpty()) {
        none.set(s);
      }
    }
    if (none.isEmpty()) {
      return;
    }
    SlotSet unserved = SlotSet.of(none);
    SlotSet noOwnerAtAll = view.uncoveredSlots();
    if (!noOwnerAtAll.isEmpty()) {
      out.add(
          new Problem(
              ProblemKind.UNCOVERED_SLOTS,
              noOwnerAtAll.size() + " slots have no owner: " + noOwnerAtAll));
    }
    SlotSet ownedByAbsent = unserved.minus(noOwnerAtAll);
    if (!ownedByAbsent.isEmpty()) {
      out.add(
          new Problem(
              ProblemKind.UNCOVERED_SLOTS,
              ownedByAbsent.size()
                  + " slots are owned by nodes that cannot serve them: "
                  + ownedByAbsent));
    }
  }

  private static void openSlots(ClusterView view, List<Problem> out) {
    for (Map.Entry<Integer, List<OpenSlot>> e : view.openSlots().entrySet()) {
      List<String> parts = new ArrayList<>();
      for (OpenSlot o : e.getValue()) {
        parts.add(
            o.kind() == OpenSlot.Kind.MIGRATING
                ? "migrating on " + name(view, o.nodeId()) + " to " + name(view, o.peerId())
                : "importing on " + name(view, o.nodeId()) + " from " + name(view, o.peerId()));
      }
      out.add(
          new Problem(
              ProblemKind.OPEN_SLOT, "slot " + e.getKey() + " is " + String.join(", ", parts)));
    }
  }

  private static void conflictsAndDisagreements(ClusterView view, List<Problem> out) {
    List<List<String>> claims = view.claimedOwners();
    Map<String, BitSet> conflicts = new TreeMap<>();
    String[] truth = new String[claims.size()];
    for (int s = 0; s < claims.size(); s++) {
      List<String> c = claims.get(s);
      if (c.size() > 1) {
        conflicts
            .computeIfAbsent(
                String.join(" and ", c.stream().map(id -> name(view, id)).toList()),
                k -> new BitSet())
            .set(s);
      } else if (c.size() == 1) {
        truth[s] = c.get(0);
      }
    }
    conflicts.forEach(
        (who, slots) ->
            out.add(
                new Problem(
                    ProblemKind.SLOT_CONFLICT,
                    "slots " + SlotSet.of(slots) + " are claimed by " + who)));
    for (NodeReport r : view.reachable()) {
      String[] map = view.slotMapOf(r);
      int differ = 0;
      BitSet where = new BitSet();
      for (int s = 0; s < map.length; s++) {
        if (truth[s] != null && !truth[s].equals(map[s])) {
          differ++;
          where.set(s);
        }
      }
      if (differ > 0) {
        out.add(
            new Problem(
                ProblemKind.SLOT_MAP_DISAGREEMENT,
                name(view, r.id())
                    + " disagrees with the owners about "
                    + differ
                    + " slots: "
                    + SlotSet.of(where)));
      }
    }
  }

  private static void strayKeys(ClusterView view, SlotKeys keys, List<Problem> out) {
    for (NodeReport p : view.primaries()) {
      NodeRecord self = p.self();
      keys.of(p.id())
          .forEach(
              (slot, n) -> {
                if (!self.slots().contains(slot) && !self.importing().containsKey(slot)) {
                  out.add(
                      new Problem(
                          ProblemKind.KEYS_IN_UNOWNED_SLOT,
                          name(view, p.id())
                              + " holds "
                              + n
                              + " key(s) of slot "
                              + slot
                              + ", which it does not own"));
                }
              });
    }
  }

  private static void roles(ClusterView view, List<Problem> out) {
    for (NodeReport subject : view.reachable()) {
      NodeRecord self = subject.self();
      for (Map.Entry<String, NodeRecord> e : view.opinionsAbout(self.id()).entrySet()) {
        NodeRecord other = e.getValue();
        if (other.myself() || other.handshake()) {
          continue;
        }
        boolean sameRole = other.primary() == self.primary() && other.replica() == self.replica();
        boolean samePrimary =
            !self.replica() || Objects.equals(self.primaryId(), other.primaryId());
        if (!sameRole || !samePrimary) {
          out.add(
              new Problem(
                  ProblemKind.ROLE_DISAGREEMENT,
                  name(view, e.getKey())
                      + " thinks "
                      + name(view, self.id())
                      + " is "
                      + role(view, other)
                      + " but it is "
                      + role(view, self)));
        }
      }
    }
  }

  private static String role(ClusterView view, NodeRecord r) {
    if (r.replica()) {
      return "a replica of " + (r.primaryId() == null ? "nobody" : shortId(r.primaryId()));
    }
    return r.primary() ? "a primary" : "without a role";
  }

  private static void failures(ClusterView view, List<Problem> out) {
    Map<String, Set<String>> failed = new TreeMap<>();
    Map<String, Set<String>> pfail = new TreeMap<>();
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.failed()) {
          failed.computeIfAbsent(rec.id(), k -> new TreeSet<>()).add(r.id());
        } else if (rec.possiblyFailed()) {
          pfail.computeIfAbsent(rec.id(), k -> new TreeSet<>()).add(r.id());
        }
      }
    }
    failed.forEach(
        (id, by) ->
            out.add(
                new Problem(
                    ProblemKind.FAILED_NODE,
                    name(view, id) + " is marked failed by " + by.size() + " node(s)")));
    pfail.forEach(
        (id, by) ->
            out.add(
                new Problem(
                    ProblemKind.PFAIL_NODE,
                    name(view, id) + " is suspected failing by " + by.size() + " node(s)")));
  }

  private static void handshakes(ClusterView view, List<Problem> out) {
    for (NodeReport r : view.reachable()) {
      for (NodeRecord rec : r.known()) {
        if (rec.handshake()) {
          out.add(
              new Problem(
                  ProblemKind.HANDSHAKE_NODE,
                  name(view, r.id())
                      + " is in handshake with "
                      + (rec.address() == null ? rec.id() : rec.address())));
        }
      }
    }
  }

  private static void orphans(ClusterView view, List<Problem> out) {
    for (NodeReport r : view.reachable()) {
      NodeRecord self = r.self();
      if (!self.replica()) {
        continue;
      }
      String pid = self.primaryId();
      boolean ok = pid != null && view.node(pid).map(p -> p.self().primary()).orElse(false);
      if (!ok) {
        out.add(
            new Problem(
                ProblemKind.ORPHANED_REPLICA,
                name(view, r.id())
                    + " replicates "
                    + (pid == null ? "nobody" : name(view, pid))
                    + ", which is not a live primary"));
      }
    }
  }

  private static void unevenReplicas(ClusterView view, List<Problem> out) {
    List<ClusterView.Shard> shards =
        view.shards().stream().filter(s -> !s.primary().self().slots().isEmpty()).toList();
    if (shards.size() < 2) {
      return;
    }
    int max = shards.stream().mapToInt(s -> s.replicas().size()).max().orElse(0);
    for (ClusterView.Shard s : shards) {
      int n = s.replicas().size();
      if (n < max && (n == 0 || max - n >= 2)) {
        out.add(
            new Problem(
                ProblemKind.UNEVEN_REPLICAS,
                "shard of "
                    + name(view, s.primary().id())
                    + " has "
                    + n
                    + " replica(s) while another has "
                    + max));
      }
    }
  }

  private static void replicaSync(ClusterView view, List<Problem> out) {
    for (NodeReport r : view.reachable()) {
      if (r.self().replica() && !r.replicationLinkUp()) {
        out.add(
            new Problem(
                ProblemKind.REPLICA_NOT_IN_SYNC,
                name(view, r.id()) + " has its replication link down"));
      }
    }
  }

  private static void clusterState(ClusterView view, List<Problem> out) {
    for (NodeReport r : view.reachable()) {
      if (!r.clusterOk()) {
        out.add(
            new Problem(
                ProblemKind.CLUSTER_STATE_FAIL,
                name(view, r.id())
                    + " reports cluster_state:"
                    + r.clusterInfo().get("cluster_state")));
      }
    }
  }
}
