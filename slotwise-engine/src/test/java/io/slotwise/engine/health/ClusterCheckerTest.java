package io.slotwise.engine.health;

import static io.slotwise.engine.observe.ViewFixtures.HEALTHY_3X1;
import static io.slotwise.engine.observe.ViewFixtures.P1;
import static io.slotwise.engine.observe.ViewFixtures.P2;
import static io.slotwise.engine.observe.ViewFixtures.P3;
import static io.slotwise.engine.observe.ViewFixtures.R1;
import static io.slotwise.engine.observe.ViewFixtures.R2;
import static io.slotwise.engine.observe.ViewFixtures.R3;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ViewFixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterCheckerTest {

  private static List<Problem> check(ClusterView view) {
    return ClusterChecker.check(view);
  }

  private static List<ProblemKind> kinds(List<Problem> problems) {
    return problems.stream().map(Problem::kind).toList();
  }

  private static String shortId(String id) {
    return id.substring(0, 8);
  }

  @Test
  void healthyClusterHasNoProblems() {
    ClusterView view = ViewFixtures.healthy3x1();
    assertThat(view.reachable()).hasSize(6);
    assertThat(check(view)).isEmpty();
  }

  @Test
  void slotLeftMigratingAndImporting() {
    ClusterView view =
        ViewFixtures.view(
            """
        P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 connected 0-5460 [93->-P2]
        P2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922 [93-<-P1]
        P3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
        R1 127.0.0.1:30004@40004 slave P1 0 1700000000000 1 connected
        R2 127.0.0.1:30005@40005 slave P2 0 1700000000000 2 connected
        R3 127.0.0.1:30006@40006 slave P3 0 1700000000000 3 connected
        """);
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.OPEN_SLOT);
    assertThat(problems.get(0).message())
        .startsWith("slot 93 is ")
        .contains("migrating on " + shortId(P1) + " (127.0.0.1:30001) to " + shortId(P2))
        .contains("importing on " + shortId(P2) + " (127.0.0.1:30002) from " + shortId(P1));
  }

  /**
   * Valkey 8 replicates {@code CLUSTER SETSLOT} to replicas, and a replica prints its own open
   * slots as its primary does. A replica cannot be told {@code SETSLOT} (it answers "only with
   * masters") and follows its primary's state, so only primaries' markers count.
   */
  @Test
  void openSlotMarkersOfReplicasAsValkeyPrintsThemAreNotClaims() {
    ClusterView view =
        ViewFixtures.view(
            """
        P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 connected 0-5460 [93->-P2]
        P2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922 [93-<-P1]
        P3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
        R1 127.0.0.1:30004@40004 slave P1 0 1700000000000 1 connected [93->-P2]
        R2 127.0.0.1:30005@40005 slave P2 0 1700000000000 2 connected [93-<-P1]
        R3 127.0.0.1:30006@40006 slave P3 0 1700000000000 3 connected [16000-<-P1]
        """);
    assertThat(view.openSlots()).containsOnlyKeys(93);
    assertThat(view.openSlots().get(93))
        .extracting(ClusterView.OpenSlot::nodeId)
        .containsExactlyInAnyOrder(P1, P2);
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.OPEN_SLOT);
    assertThat(problems.get(0).message()).doesNotContain(shortId(R1)).doesNotContain(shortId(R2));
  }

  @Test
  void aReplicaStillShowingASlotItsPrimaryClosedHasNoProblem() {
    ClusterView view =
        ViewFixtures.view(
            HEALTHY_3X1.replace(
                "slave P1 0 1700000000000 1 connected",
                "slave P1 0 1700000000000 1 connected [93->-P2]"));
    assertThat(view.openSlots()).isEmpty();
    assertThat(check(view)).isEmpty();
  }

  @Test
  void slotOpenOnOneSideOnly() {
    ClusterView view =
        ViewFixtures.view(HEALTHY_3X1.replace("10923-16383", "10923-16383 [16000-<-P1]"));
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.OPEN_SLOT);
    assertThat(problems.get(0).message()).startsWith("slot 16000 is importing on " + shortId(P3));
  }

  @Test
  void slotsOwnedByNobody() {
    ClusterView view = ViewFixtures.view(HEALTHY_3X1.replace("10923-16383", "10923-16000"));
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.UNCOVERED_SLOTS);
    assertThat(problems.get(0).message()).isEqualTo("383 slots have no owner: 16001-16383");
  }

  @Test
  void slotsOwnedByAPrimaryThatCannotBeReached() {
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).unreachable(P3).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems))
        .contains(
            ProblemKind.UNREACHABLE_NODE,
            ProblemKind.UNCOVERED_SLOTS,
            ProblemKind.ORPHANED_REPLICA);
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.UNCOVERED_SLOTS)
        .singleElement()
        .extracting(Problem::message)
        .isEqualTo("5461 slots are owned by nodes that cannot serve them: 10923-16383");
  }

  @Test
  void nodeMarkedFailedByOthers() {
    String table =
        HEALTHY_3X1.replace(
            "slave P3 0 1700000000000 3 connected",
            "slave,fail P3 1700000000000 1700000000000 3 disconnected");
    ClusterView view = ViewFixtures.cluster(table).unreachable(R3).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).contains(ProblemKind.FAILED_NODE, ProblemKind.UNREACHABLE_NODE);
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.FAILED_NODE)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith(shortId(R3) + " (127.0.0.1:30006)")
        .endsWith("marked failed by 5 node(s)");
    assertThat(kinds(problems)).doesNotContain(ProblemKind.PFAIL_NODE);
  }

  @Test
  void nodeSuspectedByOneReporter() {
    String table =
        HEALTHY_3X1.replace(
            "slave P3 0 1700000000000 3 connected",
            "slave,fail? P3 1700000000000 1700000000000 3 connected");
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(P1, table).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.PFAIL_NODE);
    assertThat(problems.get(0).message())
        .contains(shortId(R3))
        .endsWith("suspected failing by 1 node(s)");
  }

  @Test
  void nodeStuckInHandshake() {
    String table =
        HEALTHY_3X1 + "G1 127.0.0.1:30010@40010 handshake - 1700000000000 0 0 disconnected\n";
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(P2, table).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.HANDSHAKE_NODE);
    assertThat(problems.get(0).message())
        .isEqualTo(shortId(P2) + " (127.0.0.1:30002) is in handshake with 127.0.0.1:30010");
  }

  @Test
  void replicaOfAReplicaIsOrphaned() {
    // R1 follows R2, which is not a primary; P1 is left without replicas.
    ClusterView view = ViewFixtures.view(HEALTHY_3X1.replace("slave P1", "slave R2"));
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).contains(ProblemKind.ORPHANED_REPLICA);
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.ORPHANED_REPLICA)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .isEqualTo(
            shortId(R1)
                + " (127.0.0.1:30004) replicates "
                + shortId(R2)
                + " (127.0.0.1:30005), which is not a live primary");
  }

  @Test
  void replicaOfAnUnknownNodeIsOrphaned() {
    ClusterView view = ViewFixtures.view(HEALTHY_3X1.replace("slave P1", "slave G1"));
    assertThat(check(view))
        .filteredOn(p -> p.kind() == ProblemKind.ORPHANED_REPLICA)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith(
            shortId(R1) + " (127.0.0.1:30004) replicates " + shortId(ViewFixtures.id("G1")));
  }

  @Test
  void replicaWhosePrimaryWasDeletedIsOrphaned() {
    // Redis prints "slave -" when a replica's primary is no longer in its table; others still
    // remember the old primary.
    String own = HEALTHY_3X1.replace("slave P1", "slave -");
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(R1, own).build();
    List<Problem> problems = check(view);
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.ORPHANED_REPLICA)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("replicates nobody");
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.ROLE_DISAGREEMENT)
        .isNotEmpty()
        .allSatisfy(
            p ->
                assertThat(p.message())
                    .contains("is a replica of " + shortId(P1) + " but it is a replica of nobody"));
  }

  @Test
  void oneReporterWithAStaleSlotMap() {
    String stale =
        HEALTHY_3X1
            .replace("connected 0-5460", "connected")
            .replace("connected 5461-10922", "connected 0-10922");
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(R3, stale).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.SLOT_MAP_DISAGREEMENT);
    assertThat(problems.get(0).message())
        .isEqualTo(
            shortId(R3) + " (127.0.0.1:30006) disagrees with the owners about 5461 slots: 0-5460");
  }

  @Test
  void twoPrimariesClaimingOneSlot() {
    // P2 believes it owns 5460 too; the others still give it to P1.
    String p2 = HEALTHY_3X1.replace("5461-10922", "5460-10922").replace("0-5460", "0-5459");
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(P2, p2).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.SLOT_CONFLICT);
    assertThat(problems.get(0).message())
        .startsWith("slots 5460 are claimed by ")
        .contains(shortId(P1))
        .contains(shortId(P2));
  }

  @Test
  void shardsWithTwoOneAndNoReplicas() {
    ClusterView view =
        ViewFixtures.view(
            """
        P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 connected 0-5460
        P2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922
        P3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
        R1 127.0.0.1:30004@40004 slave P1 0 1700000000000 1 connected
        R2 127.0.0.1:30005@40005 slave P1 0 1700000000000 1 connected
        R3 127.0.0.1:30006@40006 slave P2 0 1700000000000 2 connected
        """);
    List<Problem> problems = check(view);
    // Only the shard without replicas is named; one fewer than the most is what leftover nodes
    // make.
    assertThat(kinds(problems)).containsExactly(ProblemKind.UNEVEN_REPLICAS);
    assertThat(problems.get(0).message())
        .isEqualTo(
            "shard of " + shortId(P3) + " (127.0.0.1:30003) has 0 replica(s) while another has 2");
  }

  @Test
  void oneExtraReplicaIsNotUneven() {
    ClusterView view =
        ViewFixtures.view(
            HEALTHY_3X1 + "R4 127.0.0.1:30007@40007 slave P1 0 1700000000000 1 connected\n");
    assertThat(check(view)).isEmpty();
  }

  @Test
  void nodeReportingClusterStateFail() {
    ClusterView view =
        ViewFixtures.cluster(HEALTHY_3X1).clusterInfo(P3, "cluster_state", "fail").build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.CLUSTER_STATE_FAIL);
    assertThat(problems.get(0).message())
        .isEqualTo(shortId(P3) + " (127.0.0.1:30003) reports cluster_state:fail");
  }

  @Test
  void replicaWithItsLinkDown() {
    ClusterView view =
        ViewFixtures.cluster(HEALTHY_3X1).replication(R2, "master_link_status", "down").build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.REPLICA_NOT_IN_SYNC);
    assertThat(problems.get(0).message())
        .isEqualTo(shortId(R2) + " (127.0.0.1:30005) has its replication link down");
  }

  @Test
  void nodesDisagreeingOnARole() {
    // P3 has not yet seen R1's replication: to it R1 is still an empty primary.
    String p3 = HEALTHY_3X1.replace("slave P1 0 1700000000000 1", "master - 0 1700000000000 0");
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).seenBy(P3, p3).build();
    List<Problem> problems = check(view);
    assertThat(kinds(problems)).containsExactly(ProblemKind.ROLE_DISAGREEMENT);
    assertThat(problems.get(0).message())
        .isEqualTo(
            shortId(P3)
                + " (127.0.0.1:30003) thinks "
                + shortId(R1)
                + " (127.0.0.1:30004) is a primary but it is a replica of "
                + shortId(P1));
  }

  @Test
  void unreachableNodeIsNamed() {
    ClusterView view = ViewFixtures.cluster(HEALTHY_3X1).unreachable(R1).build();
    List<Problem> problems = check(view);
    // A replica that cannot be reached does not count for its shard.
    assertThat(kinds(problems))
        .containsExactly(ProblemKind.UNREACHABLE_NODE, ProblemKind.UNEVEN_REPLICAS);
    assertThat(problems.get(0).message()).contains("127.0.0.1:30004");
    assertThat(problems.get(1).message()).startsWith("shard of " + shortId(P1));
  }

  @Test
  void keysOnAPrimaryThatDoesNotOwnTheirSlotAreNamedWithNodeSlotAndCount() {
    ClusterView view = ViewFixtures.healthy3x1();
    io.slotwise.engine.observe.SlotKeys keys =
        new io.slotwise.engine.observe.SlotKeys(
            java.util.Map.of(P2, java.util.Map.of(100, 7L, 6000, 3L)));

    List<Problem> problems = ClusterChecker.check(view, keys);

    assertThat(problems)
        .containsExactly(
            new Problem(
                ProblemKind.KEYS_IN_UNOWNED_SLOT,
                ClusterChecker.name(view, P2)
                    + " holds 7 key(s) of slot 100, which it does not own"));
    assertThat(ClusterChecker.check(view)).as("without key counts nothing is known").isEmpty();
  }
}
