package io.slotwise.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ViewFixtures;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.topology.NodeAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterHealingTest {
  static final String MOVED_P1 =
      ViewFixtures.HEALTHY_3X1.replace("127.0.0.1:30001@40001", "127.0.0.9:30001@40001");

  @Test
  void aNodeBackAtANewAddressIsIntroducedToEveryMemberThatKnowsTheOldOne() {
    var builder = ViewFixtures.cluster(MOVED_P1);
    for (String other : List.of("P2", "P3", "R1", "R2", "R3")) {
      builder.seenBy(other, ViewFixtures.HEALTHY_3X1);
    }
    List<Step.Meet> meets = ClusterHealing.reintroductions(builder.build());
    assertThat(meets).hasSize(5);
    assertThat(meets).allMatch(m -> m.other().equals(NodeAddress.parse("127.0.0.9:30001")));
    assertThat(meets)
        .extracting(Step.Meet::node)
        .doesNotContain(NodeAddress.parse("127.0.0.9:30001"));
  }

  @Test
  void aSettledClusterNeedsNoIntroduction() {
    assertThat(ClusterHealing.reintroductions(ViewFixtures.healthy3x1())).isEmpty();
    assertThat(ClusterHealing.ghosts(ViewFixtures.healthy3x1())).isEmpty();
  }

  @Test
  void aDownPrimaryWithAnAnsweringReplicaAwaitsRedissOwnFailover() {
    String p1Down = ViewFixtures.HEALTHY_3X1.replace("master - 0", "master,fail? - 0");
    var view = ViewFixtures.cluster(p1Down).absent("P1").build();
    assertThat(ClusterHealing.awaitedFailover(view))
        .hasValueSatisfying(m -> assertThat(m).startsWith("127.0.0.1:30001"));

    var replicaDownToo = ViewFixtures.cluster(p1Down).absent("P1").absent("R1").build();
    assertThat(ClusterHealing.awaitedFailover(replicaDownToo)).isEmpty();
    assertThat(ClusterHealing.awaitedFailover(ViewFixtures.healthy3x1())).isEmpty();
  }

  @Test
  void aNodeSomeMembersSuspectIsFadingAndBecomesAGhostOnceAllFlagIt() {
    String withGhost =
        ViewFixtures.HEALTHY_3X1
            + "G1 127.0.0.1:30009@40009 slave,fail? P1 0 1700000000000 1 disconnected\n";
    var fading = ViewFixtures.cluster(withGhost).absent("G1").build();
    assertThat(ClusterHealing.fadingNode(fading)).isPresent();

    var settled =
        ViewFixtures.cluster(withGhost.replace("slave,fail?", "slave,fail")).absent("G1").build();
    assertThat(ClusterHealing.fadingNode(settled)).isEmpty();
    assertThat(ClusterHealing.ghosts(settled)).containsExactly(ViewFixtures.id("G1"));
  }

  @Test
  void aGhostIsANodeOfNoPodThatEveryMemberMarksFailed() {
    String withGhost =
        ViewFixtures.HEALTHY_3X1
            + "G1 127.0.0.1:30009@40009 slave,fail P1 0 1700000000000 1 disconnected\n";
    var view = ViewFixtures.cluster(withGhost).absent("G1").build();
    assertThat(ClusterHealing.ghosts(view)).containsExactly(ViewFixtures.id("G1"));

    String suspectedOnly = withGhost.replace("slave,fail", "slave,fail?");
    var notYet = ViewFixtures.cluster(suspectedOnly).absent("G1").build();
    assertThat(ClusterHealing.ghosts(notYet)).isEmpty();
    assertThat(ClusterHealing.unexplainedNodes(notYet, List.of())).isTrue();
  }

  @Test
  void aNodeThatOneMemberStillSeesIsNoGhost() {
    String failed =
        ViewFixtures.HEALTHY_3X1
            + "G1 127.0.0.1:30009@40009 slave,fail P1 0 1700000000000 1 disconnected\n";
    String alive = failed.replace("slave,fail P1", "slave P1").replace("disconnected", "connected");
    var view = ViewFixtures.cluster(failed).seenBy("P2", alive).absent("G1").build();
    assertThat(ClusterHealing.ghosts(view)).isEmpty();
    assertThat(ClusterHealing.unexplainedNodes(view, List.of())).isTrue();
  }

  @Test
  void aReplicaTakesOverOnlyWithABusLinkToItsPrimaryAndNoNodeSeenFailing() {
    var healthy = io.slotwise.engine.observe.ViewFixtures.healthy3x1();
    assertThat(ClusterHealing.takeOverBlocker(replica(healthy))).isNull();

    String noLink =
        io.slotwise.engine.observe.ViewFixtures.HEALTHY_3X1.replace(
            "P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 connected",
            "P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 disconnected");
    assertThat(ClusterHealing.takeOverBlocker(replica(seenByR1(noLink))))
        .isEqualTo("it has no cluster bus link to its primary yet");

    String pfail =
        io.slotwise.engine.observe.ViewFixtures.HEALTHY_3X1.replace(
            "P2 127.0.0.1:30002@40002 master -", "P2 127.0.0.1:30002@40002 master,fail? -");
    assertThat(ClusterHealing.takeOverBlocker(replica(seenByR1(pfail)))).contains("as failing");
  }

  private static io.slotwise.engine.observe.ClusterView seenByR1(String table) {
    return io.slotwise.engine.observe.ViewFixtures.cluster(
            io.slotwise.engine.observe.ViewFixtures.HEALTHY_3X1)
        .seenBy("R1", table)
        .build();
  }

  private static io.slotwise.engine.observe.NodeReport replica(
      io.slotwise.engine.observe.ClusterView view) {
    return view.node(io.slotwise.engine.observe.ViewFixtures.R1).orElseThrow();
  }
}
