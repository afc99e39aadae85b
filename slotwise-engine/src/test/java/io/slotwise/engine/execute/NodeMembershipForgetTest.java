package io.slotwise.engine.execute;

import static io.slotwise.engine.observe.ViewFixtures.P1;
import static io.slotwise.engine.observe.ViewFixtures.P3;
import static io.slotwise.engine.observe.ViewFixtures.R1;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.ViewFixtures;
import org.junit.jupiter.api.Test;

/** When a node may be forgotten: every other node's own view must allow it. */
class NodeMembershipForgetTest {
  /** R1 took over P1's slots; P1 is now its replica. */
  static final String AFTER_FAILOVER =
      """
      R1 127.0.0.1:30004@40004 master - 0 1700000000000 4 connected 0-5460
      P2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922
      P3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
      P1 127.0.0.1:30001@40001 slave R1 0 1700000000000 4 connected
      R2 127.0.0.1:30005@40005 slave P2 0 1700000000000 2 connected
      R3 127.0.0.1:30006@40006 slave P3 0 1700000000000 3 connected
      """;

  @Test
  void aReplicaEveryNodeSeesAsOneMayBeForgotten() {
    ClusterView view = ViewFixtures.healthy3x1();

    assertThat(NodeMembership.unobservedOther(view, R1)).isNull();
    assertThat(NodeMembership.staleOwnerView(view, R1)).isNull();
  }

  @Test
  void anOldPrimaryIsNotForgottenByANodeThatHasNotHeardOfTheFailoverYet() {
    // P3 still holds P1 for the owner of 0-5460: forgetting P1 there would drop 5461 slots from
    // P3's map and make it answer CLUSTERDOWN until gossip brought them back.
    ClusterView view =
        ViewFixtures.cluster(AFTER_FAILOVER).seenBy(P3, ViewFixtures.HEALTHY_3X1).build();

    assertThat(NodeMembership.staleOwnerView(view, P1))
        .isEqualTo("127.0.0.1:30003 still sees it as the primary of 5461 slots");
    assertThat(NodeMembership.staleOwnerView(ViewFixtures.view(AFTER_FAILOVER), P1)).isNull();
  }

  @Test
  void aNewNodeIsToldOnlyTheOwnersEveryMemberAgreesOn() {
    ClusterView view =
        ViewFixtures.cluster(AFTER_FAILOVER).seenBy(P3, ViewFixtures.HEALTHY_3X1).build();

    var owners = NodeMembership.agreedOwners(view);

    assertThat(owners).doesNotContainKeys(P1, R1).containsOnlyKeys(ViewFixtures.P2, P3);
    assertThat(owners.get(ViewFixtures.P2)).hasSize(5462).startsWith(5461);
    assertThat(owners.get(P3)).hasSize(5461).startsWith(10923);
    assertThat(NodeMembership.agreedOwners(ViewFixtures.view(AFTER_FAILOVER)).get(R1))
        .hasSize(5461);
  }

  @Test
  void anotherNodeThatCannotBeObservedRefusesTheRemoval() {
    ClusterView view = ViewFixtures.cluster(ViewFixtures.HEALTHY_3X1).unreachable("P2").build();

    assertThat(NodeMembership.unobservedOther(view, R1))
        .contains("127.0.0.1:30002")
        .contains("cannot be observed");
  }

  @Test
  void theNodeToRemoveItselfMayBeUnreachable() {
    ClusterView view = ViewFixtures.cluster(ViewFixtures.HEALTHY_3X1).unreachable("R1").build();

    assertThat(NodeMembership.unobservedOther(view, R1)).isNull();
    assertThat(NodeMembership.staleOwnerView(view, R1)).isNull();
  }
}
