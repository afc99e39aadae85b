package io.slotwise.engine.observe;

import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything every node said at one moment, with disagreements kept: each reachable node is the
 * authority on itself (its role, its slots, its open slots); what nodes say about each other is
 * kept per reporter so a checker can see where they differ.
 */
public final class ClusterView {
  private final Map<NodeAddress, NodeReport> reports;
  private final Map<String, NodeReport> byId;

  public ClusterView(Collection<NodeReport> reports) {
    this.reports = new TreeMap<>();
    reports.forEach(r -> this.reports.put(r.address(), r));
    this.byId = new LinkedHashMap<>();
    for (NodeReport r : this.reports.values()) {
      if (r.reachable() && r.id() != null) {
        byId.put(r.id(), r);
      }
    }
  }

  public Collection<NodeReport> reports() {
    return reports.values();
  }

  public List<NodeReport> reachable() {
    return reports.values().stream().filter(NodeReport::reachable).toList();
  }

  public List<NodeReport> unreachable() {
    return reports.values().stream().filter(r -> !r.reachable()).toList();
  }

  public Optional<NodeReport> report(NodeAddress address) {
    return Optional.ofNullable(reports.get(address));
  }

  /** The report of the reachable node with this id. */
  public Optional<NodeReport> node(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Ids of reachable nodes, each described by itself. */
  public Set<String> reachableIds() {
    return byId.keySet();
  }

  /** Every record any reachable node holds about a node id, by reporter id. */
  public Map<String, NodeRecord> opinionsAbout(String id) {
    Map<String, NodeRecord> out = new LinkedHashMap<>();
    for (NodeReport r : byId.values()) {
      r.about(id).ifPresent(rec -> out.put(r.id(), rec));
    }
    return out;
  }

  /** Every node id that some reachable node knows, handshakes excluded. */
  public Set<String> knownIds() {
    Set<String> ids = new HashSet<>(byId.keySet());
    for (NodeReport r : byId.values()) {
      for (NodeRecord rec : r.known()) {
        if (!rec.handshake()) {
          ids.add(rec.id());
        }
      }
    }
    return ids;
  }

  /**
   * Ids that other nodes know but that could not be observed themselves: gone, failed or
   * unreachable.
   */
  public Set<String> unobservedIds() {
    Set<String> ids = new HashSet<>(knownIds());
    ids.removeAll(byId.keySet());
    return ids;
  }

  /** The freshest record of a node: its own if reachable, else the one with the highest epoch. */
  public Optional<NodeRecord> record(String id) {
    NodeReport self = byId.get(id);
    if (self != null) {
      return Optional.of(self.self());
    }
    return opinionsAbout(id).values().stream()
        .max(Comparator.comparingLong(NodeRecord::configEpoch));
  }

  /** Reachable primaries, each as it describes itself, ordered by address. */
  public List<NodeReport> primaries() {
    return byId.values().stream()
        .filter(r -> r.self().primary())
        .sorted(Comparator.comparing(NodeReport::address))
        .toList();
  }

  /** Reachable primaries that own at least one slot. */
  public List<NodeReport> slotOwners() {
    return primaries().stream().filter(r -> !r.self().slots().isEmpty()).toList();
  }

  /** Reachable replicas that say they replicate this primary id. */
  public List<NodeReport> replicasOf(String primaryId) {
    return byId.values().stream()
        .filter(r -> r.self().replica() && primaryId.equals(r.self().primaryId()))
        .sorted(Comparator.comparing(NodeReport::address))
        .toList();
  }

  /**
   * Slot owners as the owners themselves claim: index is the slot, value the claiming node ids.
   * More than one id for a slot is a conflict; none means no reachable node claims it.
   */
  public List<List<String>> claimedOwners() {
    List<List<String>> out = new ArrayList<>(HashSlots.COUNT);
    for (int i = 0; i < HashSlots.COUNT; i++) {
      out.add(new ArrayList<>(1));
    }
    for (NodeReport r : byId.values()) {
      NodeRecord self = r.self();
      if (!self.primary()) {
        continue;
      }
      for (int s : self.slots().toArray()) {
        out.get(s).add(self.id());
      }
    }
    return out;
  }

  /** Slot → owner id as one reporter sees it; null where it sees none. */
  public String[] slotMapOf(NodeReport reporter) {
    String[] map = new String[HashSlots.COUNT];
    for (NodeRecord rec : reporter.known()) {
      if (!rec.primary()) {
        continue;
      }
      for (int s : rec.slots().toArray()) {
        map[s] = rec.id();
      }
    }
    return map;
  }

  /** Slots that no node, reachable or not, is said to own by any reporter. */
  public SlotSet uncoveredSlots() {
    java.util.BitSet covered = new java.util.BitSet(HashSlots.COUNT);
    for (NodeReport r : byId.values()) {
      for (NodeRecord rec : r.known()) {
        if (rec.primary()) {
          covered.or(rec.slots().toBitSet());
        }
      }
    }
    return SlotSet.all().minus(SlotSet.of(covered));
  }

  /**
   * Slots that some reachable primary has open, with what each primary says. Valkey 8 replicates
   * {@code CLUSTER SETSLOT} to replicas, which then print the open slots of their primary on their
   * own line; a replica refuses {@code SETSLOT} from clients and follows its primary, so its
   * markers are not claims (Redis 7 replicas print none).
   */
  public Map<Integer, List<OpenSlot>> openSlots() {
    Map<Integer, List<OpenSlot>> out = new TreeMap<>();
    for (NodeReport r : byId.values()) {
      NodeRecord self = r.self();
      if (!self.primary()) {
        continue;
      }
      self.migrating()
          .forEach(
              (slot, target) ->
                  out.computeIfAbsent(slot, k -> new ArrayList<>())
                      .add(new OpenSlot(slot, self.id(), OpenSlot.Kind.MIGRATING, target)));
      self.importing()
          .forEach(
              (slot, source) ->
                  out.computeIfAbsent(slot, k -> new ArrayList<>())
                      .add(new OpenSlot(slot, self.id(), OpenSlot.Kind.IMPORTING, source)));
    }
    return out;
  }

  /** Number of nodes in the cluster as the reachable nodes see it (the largest membership). */
  public int size() {
    return knownIds().size();
  }

  /** Groups reachable nodes into shards: each slot-owning or empty primary with its replicas. */
  public List<Shard> shards() {
    List<Shard> out = new ArrayList<>();
    for (NodeReport p : primaries()) {
      out.add(new Shard(p, replicasOf(p.id())));
    }
    return out;
  }

  /** Primary id → ids of the replicas, as reachable replicas say. */
  public Map<String, List<String>> replicaCounts() {
    Map<String, List<String>> out = new HashMap<>();
    for (NodeReport r : byId.values()) {
      if (r.self().replica() && r.self().primaryId() != null) {
        out.computeIfAbsent(r.self().primaryId(), k -> new ArrayList<>()).add(r.id());
      }
    }
    return out;
  }

  public long totalKeys() {
    return primaries().stream().mapToLong(NodeReport::keys).sum();
  }

  @Override
  public String toString() {
    return reports.values().stream()
        .map(r -> r.address() + (r.reachable() ? "" : "(unreachable)"))
        .collect(Collectors.joining(", ", "ClusterView[", "]"));
  }

  /** A primary and the replicas that follow it. */
  public record Shard(NodeReport primary, List<NodeReport> replicas) {}

  /** One node's claim that a slot is half-moved. */
  public record OpenSlot(int slot, String nodeId, Kind kind, String peerId) {
    public enum Kind {
      MIGRATING,
      IMPORTING
    }
  }
}
