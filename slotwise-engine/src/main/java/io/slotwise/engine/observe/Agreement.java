package io.slotwise.engine.observe;

import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether the nodes of a view agree on members, roles and the slot map, and which nodes should tell
 * which others about themselves to get there sooner (a "nudge"). Pure: reads a view only.
 *
 * @param problem the first disagreement found, in words; null when the nodes agree
 * @param nudges subjects that should send a message to a reporter that has a stale picture of them
 */
public record Agreement(String problem, List<Nudge> nudges) {

  /**
   * A subject node, reached at the address Slotwise observed it on (never the address it announces
   * for itself, which a fresh node does not know yet), should meet a reporter.
   */
  public record Nudge(NodeAddress subject, NodeAddress reporter, int reporterBusPort) {}

  public boolean agreed() {
    return problem == null;
  }

  /**
   * @param roles whether roles must agree too (after data moved, only the slot map must)
   */
  public static Agreement of(ClusterView view, boolean roles) {
    Set<String> ids = new HashSet<>();
    for (NodeReport r : view.reports()) {
      if (!r.reachable()) {
        return new Agreement(r.error(), List.of());
      }
      ids.add(r.id());
    }
    List<Nudge> nudges = new ArrayList<>();
    String problem = null;
    String[] reference = null;
    for (NodeReport r : view.reports()) {
      Set<String> seen = new HashSet<>();
      for (NodeRecord rec : r.known()) {
        if (rec.handshake() && problem == null) {
          problem = r.address() + " is still in handshake with " + rec.address();
        }
        seen.add(rec.id());
      }
      if (!seen.containsAll(ids) && problem == null) {
        problem = r.address() + " knows " + seen.size() + " of " + ids.size() + " nodes";
      }
      for (NodeRecord rec : r.known()) {
        NodeReport subject = view.node(rec.id()).orElse(null);
        if (subject == null || rec.myself() || rec.handshake()) {
          continue;
        }
        NodeRecord truth = subject.self();
        boolean staleRole =
            truth.primary() != rec.primary() || !Objects.equals(truth.primaryId(), rec.primaryId());
        boolean staleSlots = truth.primary() && !truth.slots().equals(rec.slots());
        if (staleSlots || (roles && staleRole)) {
          nudges.add(new Nudge(subject.address(), r.address(), r.self().busPort()));
          if (problem == null) {
            problem =
                r.address()
                    + " does not yet see the "
                    + (staleSlots ? "slots" : "role")
                    + " of "
                    + subject.address();
          }
        }
      }
      String[] map = view.slotMapOf(r);
      if (reference == null) {
        reference = map;
      } else if (!Arrays.equals(reference, map) && problem == null) {
        problem = r.address() + " sees a different slot map";
      }
    }
    return new Agreement(problem, List.copyOf(nudges));
  }
}
