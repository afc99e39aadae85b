package io.slotwise.engine.health;

import static io.slotwise.engine.health.BrokenCluster.ownerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.redis.NodeClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slot left half-moved: check names it, fix closes it where the keys are, losing none. */
class OpenSlotFixIT {
  @TempDir Path home;
  private BrokenCluster broken;

  @AfterEach
  void stop() {
    if (broken != null) {
      broken.close();
    }
  }

  /** A slot with keys, its owner and another primary. */
  private record Move(int slot, NodeReport owner, NodeReport target) {}

  private Move slotWithKeys(int extraKeys) {
    broken = BrokenCluster.start(home, 3, 0, 300);
    ClusterView view = broken.view();
    int slot = broken.keys.slots().first();
    broken.keys.writeInSlot(view, slot, extraKeys);
    NodeReport owner = ownerOf(view, slot);
    NodeReport target =
        view.slotOwners().stream()
            .filter(p -> !p.id().equals(owner.id()))
            .findFirst()
            .orElseThrow();
    return new Move(slot, owner, target);
  }

  private void assertOpenSlotNamed(int slot) {
    List<Problem> problems = broken.check();
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.OPEN_SLOT)
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("slot " + slot + " "));
  }

  @Test
  void slotMigratingOnItsOwnerOnly() {
    Move m = slotWithKeys(30);
    broken.node(m.owner()).setSlotMigrating(m.slot(), m.target().id());

    assertOpenSlotNamed(m.slot());
    assertThat(broken.fix()).anyMatch(a -> a.contains("slot " + m.slot()));

    broken.awaitHealthyWithEveryKey();
  }

  @Test
  void slotImportingOnATargetOnly() {
    Move m = slotWithKeys(30);
    broken.node(m.target()).setSlotImporting(m.slot(), m.owner().id());

    assertOpenSlotNamed(m.slot());
    broken.fix();

    broken.awaitHealthyWithEveryKey();
    assertThat(ownerOf(broken.view(), m.slot()).id())
        .as("nothing was moved, so the owner keeps the slot")
        .isEqualTo(m.owner().id());
  }

  @Test
  void slotOpenOnBothSidesWithHalfItsKeysMoved() {
    Move m = slotWithKeys(40);
    NodeClient src = broken.node(m.owner());
    NodeClient dst = broken.node(m.target());
    dst.setSlotImporting(m.slot(), m.owner().id());
    src.setSlotMigrating(m.slot(), m.target().id());
    long before = src.countKeysInSlot(m.slot());
    src.migrate(m.target().address(), src.keysInSlot(m.slot(), (int) before / 2), false, 10_000);
    assertThat(dst.countKeysInSlot(m.slot())).isEqualTo(before / 2);

    assertOpenSlotNamed(m.slot());
    broken.fix();

    broken.awaitHealthyWithEveryKey();
    NodeReport owner = ownerOf(broken.view(), m.slot());
    assertThat(broken.node(owner).countKeysInSlot(m.slot()))
        .as("every key of the slot on its one owner")
        .isEqualTo(before);
  }
}
