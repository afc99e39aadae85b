package io.slotwise.engine.local;

import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One round of keeping a local cluster alive: restarts nodes whose process is gone, and introduces
 * nodes that lost sight of the others.
 *
 * <p>A stopped node restarts on its own data directory (same node id) when that is safe: it was a
 * replica (it resyncs from its primary), it owned no slots, or its data survived (append-only file
 * on). A primary that owned slots and has no data would come back claiming them with no keys, and
 * its replica would copy the empty data set; so it is never restarted with that identity. While the
 * other nodes still see it as the owner of its slots, it stays stopped (its replica takes over
 * after the node timeout). Once another node owns those slots in every view, its old identity is
 * forgotten by every node and it starts as a new, empty node that joins as a replica of the node
 * that took over. A node whose whole data directory is gone (while the cluster still records it) is
 * treated the same way, with what the other nodes remember of it as its last identity; as a former
 * replica it rejoins as a replica of the primary with the fewest replicas.
 */
final class LocalSupervisor {
  private final LocalCluster cluster;
  private final Set<String> said = new HashSet<>();

  LocalSupervisor(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * @return what it did, one line an action
   */
  List<String> superviseOnce() {
    cluster.reload();
    List<String> done = new ArrayList<>(cluster.restorePendingConfig());
    List<RedisProcess> nodes = cluster.nodes();
    for (RedisProcess p : nodes) {
      if (p.alive()) {
        continue;
      }
      if (!Files.isDirectory(p.dir())) {
        // Still recorded, so not removed by a scale: its data directory was lost.
        identityFromPeers(p)
            .ifPresentOrElse(
                was -> rejoinWithoutData(p, was).ifPresent(done::add),
                () -> sayOnce(p, "", "its data directory is gone and no node remembers it"));
        continue;
      }
      if (p.removed()) {
        continue;
      }
      Optional<NodeRecord> last = lastSelf(p);
      if (!lostDataAsOwner(cluster, p)) {
        cluster.processes().start(p, cluster.spec().redisServer());
        cluster.processes().awaitAnswer(p);
        done.add(
            "node "
                + p.index()
                + " ("
                + p.address()
                + ") had stopped; restarted it on its data directory");
      } else {
        rejoinWithoutData(p, last.get()).ifPresent(done::add);
      }
    }
    if (cluster.nodes().stream()
        .allMatch(p -> p.alive() || (Files.isDirectory(p.dir()) && p.removed()))) {
      // Every node runs: one convergence step carries on a scale that a killed process left
      // unfinished. A node kept stopped above is not the step's to restart.
      done.addAll(LocalScale.superviseStep(cluster, cluster.log()));
    }
    ClusterView view = cluster.observe();
    // A node alone and empty is not a lost member: the convergence step joins or removes it.
    List<NodeReport> members =
        view.reachable().stream()
            .filter(r -> r.known().size() > 1 || !r.self().slots().isEmpty())
            .toList();
    Set<String> ids = new HashSet<>();
    members.forEach(r -> ids.add(r.id()));
    List<RedisProcess> current = cluster.nodes();
    NodeAddress anchor = current.get(0).address();
    for (NodeReport r : members) {
      Set<String> seen = new HashSet<>();
      r.known().stream().filter(k -> !k.handshake()).forEach(k -> seen.add(k.id()));
      if (!seen.containsAll(ids)) {
        RedisProcess other = r.address().equals(anchor) ? current.get(1) : current.get(0);
        cluster.admin().node(r.address()).meet(other.address(), other.busPort());
        done.add(
            "introduced "
                + r.address()
                + ", which had lost sight of the cluster, to "
                + other.address());
      }
    }
    return done;
  }

  /**
   * A node that lost its data ({@code was}: what it was). Waits while any view still lets its old
   * identity matter: a node does not answer, some node does not yet see it as failed, or (for a
   * primary) another node does not yet own all its slots. Then every node forgets the old identity
   * and it starts as a new, empty node that joins as a replica: of the node that took over its
   * slots, or of the primary with the fewest replicas.
   *
   * @return the action taken, or empty while it waits
   */
  private Optional<String> rejoinWithoutData(RedisProcess p, NodeRecord was) {
    String oldId = was.id();
    List<NodeAddress> others =
        cluster.nodes().stream()
            .filter(n -> !n.equals(p) && !n.removed())
            .map(RedisProcess::address)
            .toList();
    ClusterView view = cluster.observer().observeOnly(others);
    String why = null;
    if (!view.unreachable().isEmpty()) {
      why = view.unreachable().get(0).address() + " does not answer, so not every view is known";
    }
    Optional<NodeReport> owner = Optional.empty();
    if (was.primary() && !was.slots().isEmpty()) {
      int slot = was.slots().toArray()[0];
      owner =
          view.reachable().stream()
              .filter(r -> r.self().primary() && r.self().slots().contains(slot))
              .findFirst();
      SlotSet ownedElsewhere = SlotSet.EMPTY;
      for (NodeReport r : view.reachable()) {
        if (r.self().primary()) {
          ownedElsewhere = ownedElsewhere.union(r.self().slots());
        }
      }
      if (why == null && (owner.isEmpty() || !was.slots().minus(ownedElsewhere).isEmpty())) {
        why = "no other node owns its slots yet (a replica takes over after the node timeout)";
      }
    }
    if (why == null) {
      for (NodeReport r : view.reachable()) {
        Optional<NodeRecord> about = r.about(oldId);
        if (about.isPresent() && (!about.get().failed() || !about.get().slots().isEmpty())) {
          why = r.address() + " does not yet see it as failed and without slots";
          break;
        }
      }
    }
    if (why != null) {
      String what =
          was.primary() && !was.slots().isEmpty()
              ? "it stopped without its data while it owned "
                  + was.slots().size()
                  + " slots; it stays stopped, since restarted now it would serve them empty: "
              : "it stopped without its data; it stays stopped until its old identity can be"
                  + " forgotten: ";
      sayOnce(p, oldId, what + why);
      return Optional.empty();
    }
    for (NodeReport r : view.reachable()) {
      if (r.about(oldId).isPresent()) {
        cluster.admin().node(r.address()).forget(oldId);
      }
    }
    wipeIdentity(p);
    try {
      p.writeConfig(cluster.spec());
    } catch (IOException e) {
      throw new LocalClusterException("cannot write " + p.configFile() + ": " + e.getMessage());
    }
    cluster.processes().start(p, cluster.spec().redisServer());
    cluster.processes().awaitAnswer(p);
    NodeMembership membership =
        new NodeMembership(
            cluster.admin(),
            cluster.observer(),
            Waiter.standard(),
            cluster.journal(),
            cluster.log());
    NodeAddress seed = others.get(0);
    String primaryId = owner.map(NodeReport::id).orElse(null);
    membership.add(seed, p.address(), primaryId, primaryId == null);
    said.removeIf(k -> k.startsWith(p.index() + " "));
    NodeReport now = cluster.observer().report(p.address());
    String primary =
        view.node(now.self().primaryId()).map(r -> r.address().toString()).orElse("a primary");
    return Optional.of(
        "node "
            + p.index()
            + " ("
            + p.address()
            + ") had stopped without its data; every node forgot its old identity "
            + oldId
            + " and it rejoined as a new, empty replica of "
            + primary);
  }

  /** What the other nodes remember about the node at this address (a failed entry). */
  private Optional<NodeRecord> identityFromPeers(RedisProcess p) {
    List<NodeAddress> others =
        cluster.nodes().stream().filter(n -> !n.equals(p)).map(RedisProcess::address).toList();
    ClusterView view = cluster.observer().observeOnly(others);
    for (NodeReport r : view.reachable()) {
      for (NodeRecord k : r.known()) {
        if (!k.myself() && !k.handshake() && p.address().equals(k.address())) {
          return Optional.of(k);
        }
      }
    }
    return Optional.empty();
  }

  private void sayOnce(RedisProcess p, String oldId, String what) {
    if (said.add(p.index() + " " + oldId + " " + what)) {
      cluster.log().accept("node " + p.index() + " (" + p.address() + "): " + what);
    }
  }

  /** What the node's {@code nodes.conf} says it was when it stopped. */
  static Optional<NodeRecord> lastSelf(RedisProcess p) {
    Path conf = p.dir().resolve("nodes.conf");
    if (!Files.exists(conf)) {
      return Optional.empty();
    }
    try {
      for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
        if (!line.startsWith("vars") && line.contains("myself")) {
          return Optional.of(NodeRecord.parse(line));
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // unreadable: treated as a node without identity
    }
    return Optional.empty();
  }

  /**
   * Whether the stopped node was a primary owning slots (by its {@code nodes.conf}) and its data
   * did not survive: restarted with that identity it would serve its slots empty.
   */
  static boolean lostDataAsOwner(LocalCluster cluster, RedisProcess p) {
    Optional<NodeRecord> last = lastSelf(p);
    return last.isPresent()
        && last.get().primary()
        && !last.get().slots().isEmpty()
        && !hasData(cluster, p);
  }

  /**
   * Whether the node's data survived its process: only an append-only file counts. A {@code
   * dump.rdb} may be a copy a replica received long ago, older than what it later owned.
   */
  private static boolean hasData(LocalCluster cluster, RedisProcess p) {
    if (!cluster.spec().appendOnly()) {
      return false;
    }
    Path aof = p.dir().resolve("appendonlydir");
    try (var s = Files.list(aof)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes the node's identity and data files; its configuration and logs stay. */
  private static void wipeIdentity(RedisProcess p) {
    try {
      Files.deleteIfExists(p.dir().resolve("nodes.conf"));
      Files.deleteIfExists(p.dir().resolve("dump.rdb"));
      NodeProcesses.deleteTree(p.dir().resolve("appendonlydir"));
    } catch (IOException e) {
      throw new LocalClusterException("cannot clear " + p.dir() + ": " + e.getMessage());
    }
  }
}
