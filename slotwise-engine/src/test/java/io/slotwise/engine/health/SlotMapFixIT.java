package io.slotwise.engine.health;

import static io.slotwise.engine.health.BrokenCluster.ownerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.SlotSet;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slots nobody serves and nodes that disagree about owners: check names them, fix repairs them. */
class SlotMapFixIT {
  @TempDir Path home;
  private BrokenCluster broken;

  @AfterEach
  void stop() {
    if (broken != null) {
      broken.close();
    }
  }

  @Test
  void uncoveredSlotsGoToTheNodeThatHoldsTheirKeysAndEmptyOnesAreCoveredAnyway() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    List<NodeReport> owners = view.slotOwners();
    Set<Integer> keyed = broken.keys.slots();
    // A range with keys removed from every node's map, one without keys removed from every node's
    // map, and a range with keys that only its owner stopped claiming (the others still believe
    // it).
    NodeReport holder = owners.get(0);
    SlotSet withKeys = keyedRange(holder, keyed, 40);
    NodeReport emptyOwner = owners.get(1);
    SlotSet empty = runWithoutKeys(emptyOwner.self().slots(), keyed, 20);
    NodeReport quitter = owners.get(2);
    SlotSet abandoned = keyedRange(quitter, keyed, 30);
    assertThat(keysIn(holder, withKeys)).isGreaterThanOrEqualTo(2L * withKeys.size());
    assertThat(keysIn(quitter, abandoned)).isGreaterThanOrEqualTo(2L * abandoned.size());

    // Owners first, so no owner teaches the others its old claim again.
    broken.node(holder).delSlots(withKeys);
    broken.node(emptyOwner).delSlots(empty);
    broken.node(quitter).delSlots(abandoned);
    SlotSet gone = withKeys.union(empty);
    for (NodeReport r : view.reachable()) {
      SlotSet own =
          r.id().equals(holder.id())
              ? withKeys
              : r.id().equals(emptyOwner.id()) ? empty : SlotSet.EMPTY;
      broken.node(r).delSlots(gone.minus(own));
    }

    List<Problem> problems = broken.awaitProblem(ProblemKind.UNCOVERED_SLOTS);
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.UNCOVERED_SLOTS)
        .anySatisfy(
            p -> assertThat(p.message()).isEqualTo(gone.size() + " slots have no owner: " + gone))
        .anySatisfy(
            p ->
                assertThat(p.message())
                    .isEqualTo(
                        abandoned.size()
                            + " slots are owned by nodes that cannot serve them: "
                            + abandoned));
    List<String> done = broken.fix();

    assertThat(done)
        .anyMatch(
            a ->
                a.startsWith(
                        empty.size()
                            + " slots had no owner and no node holds keys in them: "
                            + empty)
                    && a.contains("data they held is gone"));
    broken.awaitHealthyWithEveryKey();
    // Slots with keys go to the node that holds them; the empty ones to whichever primary has
    // fewest.
    ClusterView after = broken.view();
    assertThat(after.node(holder.id()).orElseThrow().self().slots().intersect(withKeys))
        .isEqualTo(withKeys);
    assertThat(after.node(quitter.id()).orElseThrow().self().slots().intersect(abandoned))
        .isEqualTo(abandoned);
  }

  /** A range of the owner's slots with two keys written in every slot. */
  private SlotSet keyedRange(NodeReport owner, Set<Integer> keyed, int length) {
    int first =
        keyed.stream().filter(s -> owner.self().slots().contains(s)).findFirst().orElseThrow();
    SlotSet range = SlotSet.range(first, first + length - 1).intersect(owner.self().slots());
    ClusterView view = broken.view();
    for (int s : range.toArray()) {
      broken.keys.writeInSlot(view, s, 2);
    }
    return range;
  }

  private long keysIn(NodeReport node, SlotSet slots) {
    long n = 0;
    for (int s : slots.toArray()) {
      n += broken.node(node).countKeysInSlot(s);
    }
    return n;
  }

  /** The first run of {@code length} slots of {@code slots} that holds none of the keyed slots. */
  private static SlotSet runWithoutKeys(SlotSet slots, Set<Integer> keyed, int length) {
    int run = 0;
    for (int s : slots.toArray()) {
      run = keyed.contains(s) || (run > 0 && !slots.contains(s - 1)) ? 0 : run + 1;
      if (run == length) {
        return SlotSet.range(s - length + 1, s);
      }
    }
    throw new IllegalStateException("no run of " + length + " slots without keys");
  }

  @Test
  void aNodeThatBelievesAnotherOwnerIsOverruled() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    // Gossip corrects a stale owner with a lower epoch at once; a higher one sticks until the owner
    // bumps.
    List<NodeReport> byEpoch =
        view.slotOwners().stream()
            .sorted(Comparator.comparingLong(p -> p.self().configEpoch()))
            .toList();
    NodeReport owner = byEpoch.get(0);
    NodeReport believed = byEpoch.get(2);
    NodeReport confused = byEpoch.get(1);
    int slot =
        broken.keys.slots().stream()
            .filter(s -> owner.self().slots().contains(s))
            .findFirst()
            .orElseThrow();

    broken.node(confused).setSlotNode(slot, believed.id());

    List<Problem> problems = broken.check();
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.SLOT_MAP_DISAGREEMENT)
        .anySatisfy(
            p ->
                assertThat(p.message())
                    .startsWith(ClusterChecker.name(view, confused.id()))
                    .endsWith(": " + slot));
    broken.fix();

    broken.awaitHealthyWithEveryKey();
    assertThat(ownerOf(broken.view(), slot).id()).isEqualTo(owner.id());
  }
}
