package io.slotwise.engine.migrate;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who took over for a side of an open slot move that is gone (its process died and a replica was
 * promoted), so that a rerun can finish the move with the live node instead of refusing it.
 *
 * <ul>
 *   <li>A dead source's heir is the live primary that now owns the slot: it holds the keys that had
 *       not moved yet (its replica copy).
 *   <li>A dead target's heir is the live primary, other than the source, that holds keys of a slot
 *       it neither owns nor imports: it can only have them as the target's replica. It is found
 *       once per dead target, from any of its open slots that had keys moved, and stands in for the
 *       dead target in every slot. With no such primary, nothing names the heir and the slot is
 *       left to {@code cluster fix}.
 * </ul>
 */
final class Heirs {
  private final ClusterView view;
  private final NodeDirectory nodes;
  private final Map<String, Optional<NodeReport>> targetHeirs = new HashMap<>();

  Heirs(ClusterView view, NodeDirectory nodes) {
    this.view = view;
    this.nodes = nodes;
  }

  /** The live primary with this id, or the heir of a source that is gone. */
  Optional<NodeReport> source(String id, int slot, String targetId) {
    Optional<NodeReport> live = view.node(id).filter(r -> r.self().primary());
    if (live.isPresent()) {
      return live;
    }
    List<String> claims = view.claimedOwners().get(slot);
    if (claims.size() != 1 || claims.get(0).equals(targetId)) {
      return Optional.empty();
    }
    return view.node(claims.get(0));
  }

  /**
   * The live primary with this id, or the heir of a target that is gone, looked for among the
   * primaries holding keys of any of {@code slots} (the dead target's open slots).
   */
  Optional<NodeReport> target(String id, List<Integer> slots, String sourceId) {
    Optional<NodeReport> live = view.node(id).filter(r -> r.self().primary());
    if (live.isPresent()) {
      return live;
    }
    return targetHeirs.computeIfAbsent(id, dead -> holderOf(slots, sourceId));
  }

  private Optional<NodeReport> holderOf(List<Integer> slots, String sourceId) {
    List<List<String>> claims = view.claimedOwners();
    for (int slot : slots) {
      for (NodeReport p : view.primaries()) {
        if (p.id().equals(sourceId) || claims.get(slot).contains(p.id())) {
          continue;
        }
        try {
          if (nodes.node(p.address()).countKeysInSlot(slot) > 0) {
            return Optional.of(p);
          }
        } catch (RedisAdminException e) {
          // An unreachable primary cannot be named the heir.
        }
      }
    }
    return Optional.empty();
  }
}
