package io.slotwise.engine.plan;

import static io.slotwise.engine.observe.ViewFixtures.P1;
import static io.slotwise.engine.observe.ViewFixtures.P2;
import static io.slotwise.engine.observe.ViewFixtures.P3;
import static io.slotwise.engine.observe.ViewFixtures.R1;
import static io.slotwise.engine.observe.ViewFixtures.R3;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.observe.ViewFixtures;
import io.slotwise.engine.plan.RepairPlan.Blocked;
import io.slotwise.engine.plan.RepairPlan.Cause;
import io.slotwise.engine.plan.RepairPlan.CoverSlots;
import io.slotwise.engine.plan.RepairPlan.Forget;
import io.slotwise.engine.plan.RepairPlan.Promote;
import io.slotwise.engine.plan.RepairPlan.Repair;
import io.slotwise.engine.plan.RepairPlan.Replicate;
import io.slotwise.engine.plan.RepairPlan.SettleSlot;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.SlotSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fixer's decisions, made from literal {@code CLUSTER NODES} text without any process. */
class RepairPlannerTest {
  private static RepairPlan plan(ClusterView view, SlotKeys keys) {
    return RepairPlanner.plan(view, keys, RepairOptions.SAFE);
  }

  private static SlotKeys keys(String id, int slot, long n) {
    return new SlotKeys(Map.of(id, Map.of(slot, n)));
  }

  private static <T extends Repair> List<T> of(RepairPlan plan, Class<T> type) {
    return plan.repairs().stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static final String OPEN_AND_UNCOVERED =
      """
      P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460 [93->-P2]
      P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922 [93-<-P1]
      P3 127.0.0.1:30003@40003 master - 0 0 3 connected 10923-16382
      """;

  @Test
  void anUncoveredSlotIsCoveredBeforeKeysOfAnOpenSlotMove() {
    ClusterView view = ViewFixtures.view(OPEN_AND_UNCOVERED);
    SlotKeys keys =
        new SlotKeys(Map.of(ViewFixtures.P1, Map.of(93, 10L), ViewFixtures.P2, Map.of(93, 10L)));

    RepairPlan plan = plan(view, keys);

    assertThat(plan.blocked()).isEmpty();
    assertThat(plan.repairs()).hasSize(2);
    assertThat(plan.repairs().get(0))
        .isInstanceOfSatisfying(
            CoverSlots.class, c -> assertThat(c.slots()).isEqualTo(SlotSet.range(16383, 16383)));
    assertThat(plan.repairs().get(1))
        .isInstanceOfSatisfying(
            SettleSlot.class,
            s -> {
              assertThat(s.slot()).isEqualTo(93);
              assertThat(s.ownerId()).as("the migration's live target").isEqualTo(P2);
              assertThat(s.sources()).containsExactly(P1);
              assertThat(s.closeOn()).contains(P1, P2);
            });
    assertThat(plan.repairs().get(0).stage()).isLessThan(plan.repairs().get(1).stage());
  }

  @Test
  void aRolledBackSlotIsClosedOnItsOwnerToo() {
    ClusterView view =
        ViewFixtures.view(
            """
            P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460 [93->-P2]
            P2 127.0.0.1:30002@40002 slave P3 0 0 2 connected
            P3 127.0.0.1:30003@40003 master - 0 0 3 connected 5461-16383
            """);

    SettleSlot s = of(plan(view, keys(P1, 93, 5)), SettleSlot.class).get(0);

    assertThat(s.ownerId()).isEqualTo(P1);
    assertThat(s.sources()).isEmpty();
    assertThat(s.closeOn()).containsExactly(P1);
    assertThat(s.what()).startsWith("rolled back the migration of slot 93");
  }

  private static final String P3_FAILED_NO_REPLICA =
      """
      P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460
      P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922
      P3 127.0.0.1:30003@40003 master,fail - 0 0 3 disconnected 10923-16383
      R1 127.0.0.1:30004@40004 slave P1 0 0 1 connected
      """;

  @Test
  void aFailedPrimaryWithoutReplicaKeepsItsSlotsAndIsNotForgotten() {
    ClusterView view = ViewFixtures.cluster(P3_FAILED_NO_REPLICA).unreachable("P3").build();

    RepairPlan plan = plan(view, SlotKeys.NONE);

    assertThat(of(plan, Forget.class)).isEmpty();
    assertThat(of(plan, CoverSlots.class)).isEmpty();
    assertThat(plan.blocked())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.nodeId()).isEqualTo(P3);
              assertThat(b.what()).contains("10923-16383");
              assertThat(b.reason()).contains("wait for it to come back");
            });
  }

  @Test
  void acceptingDataLossForgetsTheFailedPrimaryAndSaysWhichSlotsAreGone() {
    ClusterView view = ViewFixtures.cluster(P3_FAILED_NO_REPLICA).unreachable("P3").build();

    RepairPlan plan = RepairPlanner.plan(view, SlotKeys.NONE, new RepairOptions(true, false));

    assertThat(plan.blocked()).isEmpty();
    assertThat(of(plan, Forget.class))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.nodeId()).isEqualTo(P3);
              assertThat(f.dataLost()).isEqualTo(SlotSet.range(10923, 16383));
              assertThat(f.what()).contains("the data of slots 10923-16383 is gone");
            });
    // Covered on the next pass, once nobody claims them any more.
    assertThat(of(plan, CoverSlots.class)).isEmpty();
  }

  private static final String P3_UNOBSERVABLE =
      """
      P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460 [93->-P2]
      P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922 [93-<-P1]
      P3 127.0.0.1:30003@40003 master - 0 0 3 disconnected 10923-16382
      R1 127.0.0.1:30004@40004 slave P1 0 0 1 connected
      G1 127.0.0.1:30009@40009 slave,fail P1 0 0 1 disconnected
      """;

  @Test
  void aNodeNobodyFlaggedFailedButNobodyCanObserveBlocksWhatDependsOnIt() {
    // Nobody has a connected link to P3, but nobody flagged it failed either: it is not a ghost.
    ClusterView view =
        ViewFixtures.cluster(P3_UNOBSERVABLE).unreachable("P3").unreachable("G1").build();
    SlotKeys keys = new SlotKeys(Map.of(P1, Map.of(93, 4L), P2, Map.of(93, 4L)));

    RepairPlan plan = plan(view, keys);

    assertThat(of(plan, Forget.class)).as("no FORGET while P3's view is unknown").isEmpty();
    assertThat(of(plan, CoverSlots.class)).as("no ADDSLOTS of slot 16383 either").isEmpty();
    assertThat(plan.blocked()).extracting(Blocked::nodeId).containsOnly(P3);
    assertThat(plan.blocked())
        .extracting(Blocked::cause)
        .contains(Cause.UNCOVERED_SLOTS, Cause.FAILED_NODE);
    assertThat(plan.blocked())
        .allSatisfy(b -> assertThat(b.reason()).contains("cannot be observed"));
    // The open slot between P1 and P2 does not depend on P3.
    assertThat(of(plan, SettleSlot.class))
        .singleElement()
        .satisfies(s -> assertThat(s.slot()).isEqualTo(93));
    assertThat(RepairPlanner.unobservable(view)).containsOnlyKeys(P3);
  }

  @Test
  void anOpenSlotThatAnUnobservableNodeTakesPartInIsLeftAlone() {
    ClusterView view =
        ViewFixtures.cluster(
                """
                P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460 [93->-P3]
                P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922
                P3 127.0.0.1:30003@40003 master - 0 0 3 connected 10923-16383
                """)
            .unreachable("P3")
            .build();

    RepairPlan plan = plan(view, keys(P1, 93, 3));

    assertThat(plan.repairs()).isEmpty();
    assertThat(plan.blocked()).extracting(Blocked::nodeId).containsOnly(P3);
    assertThat(plan.blocked())
        .extracting(Blocked::cause)
        .containsExactlyInAnyOrder(Cause.OPEN_SLOT, Cause.UNCOVERED_SLOTS);
  }

  private static final String P3_FAILED_WITH_REPLICA =
      """
      P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460
      P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922
      P3 127.0.0.1:30003@40003 master,fail - 0 0 3 disconnected 10923-16383
      R3 127.0.0.1:30006@40006 slave P3 0 0 3 connected
      """;

  private static ViewFixtures.Builder lostPrimary() {
    return ViewFixtures.cluster(P3_FAILED_WITH_REPLICA)
        .unreachable("P3")
        .replication("R3", "master_link_status", "down")
        .replication("R3", "master_sync_in_progress", "0")
        .replication("R3", "master_link_down_since_seconds", "4");
  }

  @Test
  void aCaughtUpReplicaOfAFailedPrimaryIsPromotedByElectionNotTakeover() {
    RepairPlan plan = plan(lostPrimary().build(), SlotKeys.NONE);

    assertThat(of(plan, Promote.class))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.replicaId()).isEqualTo(R3);
              assertThat(p.mode()).isEqualTo(FailoverMode.FORCE);
            });
    assertThat(of(plan, Forget.class)).as("not before the replica took over").isEmpty();
    assertThat(of(plan, Replicate.class)).as("its only copy is not thrown away").isEmpty();

    RepairPlan asked =
        RepairPlanner.plan(lostPrimary().build(), SlotKeys.NONE, new RepairOptions(false, true));
    assertThat(of(asked, Promote.class))
        .singleElement()
        .satisfies(p -> assertThat(p.mode()).isEqualTo(FailoverMode.TAKEOVER));
  }

  @Test
  void aReplicaStillSyncingOrStillLinkedIsNotPromoted() {
    RepairPlan syncing =
        plan(
            lostPrimary().replication("R3", "master_sync_in_progress", "1").build(), SlotKeys.NONE);
    RepairPlan linked =
        plan(lostPrimary().replication("R3", "master_link_status", "up").build(), SlotKeys.NONE);
    RepairPlan stale =
        plan(
            lostPrimary().replication("R3", "master_link_down_since_seconds", "86400").build(),
            SlotKeys.NONE);

    for (RepairPlan p : List.of(syncing, linked, stale)) {
      assertThat(of(p, Promote.class)).isEmpty();
      assertThat(p.blocked()).singleElement().satisfies(b -> assertThat(b.nodeId()).isEqualTo(P3));
    }
    assertThat(syncing.blocked().get(0).reason()).contains("first sync");
  }

  private static final String CONFLICT =
      """
      P1 127.0.0.1:30001@40001 master - 0 0 %d connected 0-5460
      P2 127.0.0.1:30002@40002 master - 0 0 %d connected 5460-10922
      P3 127.0.0.1:30003@40003 master - 0 0 3 connected 10923-16383
      """;

  @Test
  void aConflictIsWonByTheHigherEpochWithoutABump() {
    ClusterView view = ViewFixtures.view(CONFLICT.formatted(7, 2));
    // P2 holds more keys, but P1's claim is the newer one, as Redis itself would decide.
    SlotKeys keys = new SlotKeys(Map.of(P1, Map.of(5460, 1L), P2, Map.of(5460, 50L)));

    SettleSlot s = of(plan(view, keys), SettleSlot.class).get(0);

    assertThat(s.cause()).isEqualTo(Cause.SLOT_CONFLICT);
    assertThat(s.ownerId()).isEqualTo(P1);
    assertThat(s.sources()).containsExactly(P2);
    assertThat(s.bumpEpoch()).isFalse();
  }

  @Test
  void aConflictWithEqualEpochsGoesToMostKeysAndBumps() {
    ClusterView view = ViewFixtures.view(CONFLICT.formatted(2, 2));
    SlotKeys keys = new SlotKeys(Map.of(P1, Map.of(5460, 1L), P2, Map.of(5460, 50L)));

    SettleSlot s = of(plan(view, keys), SettleSlot.class).get(0);

    assertThat(s.ownerId()).isEqualTo(P2);
    assertThat(s.sources()).containsExactly(P1);
    assertThat(s.bumpEpoch()).isTrue();
  }

  @Test
  void keysOnANodeThatDoesNotOwnTheirSlotMoveToTheOwnerBeforeAGhostIsForgotten() {
    ClusterView view =
        ViewFixtures.cluster(
                """
                P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5460
                P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922
                P3 127.0.0.1:30003@40003 master - 0 0 3 connected 10923-16383
                G1 127.0.0.1:30009@40009 slave,fail P1 0 0 1 disconnected
                """)
            .unreachable("G1")
            .build();

    RepairPlan plan = plan(view, keys(P2, 100, 7));

    assertThat(of(plan, SettleSlot.class))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.cause()).isEqualTo(Cause.KEYS_IN_UNOWNED_SLOT);
              assertThat(s.ownerId()).isEqualTo(P1);
              assertThat(s.sources()).containsExactly(P2);
            });
    assertThat(of(plan, Forget.class)).isEmpty();
    assertThat(plan.blocked())
        .singleElement()
        .satisfies(b -> assertThat(b.reason()).contains("waits until slots 100 are settled"));

    RepairPlan settled = plan(view, SlotKeys.NONE);
    assertThat(of(settled, Forget.class))
        .singleElement()
        .satisfies(f -> assertThat(f.dataLost()).isEqualTo(SlotSet.EMPTY));
  }

  @Test
  void anUncoveredSlotGoesToTheNodeHoldingItsKeys() {
    ClusterView view =
        ViewFixtures.view(
            """
            P1 127.0.0.1:30001@40001 master - 0 0 1 connected 0-5459
            P2 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922
            P3 127.0.0.1:30003@40003 master - 0 0 3 connected 10923-16383
            R1 127.0.0.1:30004@40004 slave P1 0 0 1 connected
            """);

    RepairPlan plan = plan(view, keys(P3, 5460, 2));

    assertThat(of(plan, CoverSlots.class))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.nodeId()).isEqualTo(P3);
              assertThat(c.slots()).isEqualTo(SlotSet.range(5460, 5460));
              assertThat(c.empty()).isEqualTo(SlotSet.EMPTY);
            });
    assertThat(of(plan, SettleSlot.class)).as("no move while the slot has no owner").isEmpty();
    assertThat(R1).isNotNull();
  }

  @Test
  void aHealthyClusterNeedsNothing() {
    assertThat(plan(ViewFixtures.healthy3x1(), SlotKeys.NONE).isEmpty()).isTrue();
  }
}
