package io.slotwise.engine.observe;

import static io.slotwise.engine.observe.ViewFixtures.P1;
import static io.slotwise.engine.observe.ViewFixtures.P2;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.topology.NodeAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgreementTest {
  private static final NodeAddress A1 = NodeAddress.parse("127.0.0.1:30001");
  private static final NodeAddress A2 = NodeAddress.parse("127.0.0.1:30002");

  private static NodeReport report(NodeAddress at, String... lines) {
    List<NodeRecord> known = java.util.Arrays.stream(lines).map(NodeRecord::parse).toList();
    return new NodeReport(at, known, Map.of("cluster_state", "ok"), Map.of(), 0, 0, null);
  }

  @Test
  void healthyViewAgrees() {
    Agreement a = Agreement.of(ViewFixtures.healthy3x1(), true);

    assertThat(a.agreed()).isTrue();
    assertThat(a.nudges()).isEmpty();
  }

  @Test
  void nudgesAFreshNodeAtTheAddressItWasReachedOnEvenBeforeItKnowsItsOwnIp() {
    // A fresh node that has not yet learnt its own IP prints ":30001@40001" on its myself line.
    // Waiting for agreement during create once failed with a NullPointerException here.
    ClusterView view =
        new ClusterView(
            List.of(
                report(
                    A1,
                    P1 + " :30001@40001 myself,master - 0 0 1 connected 0-8191",
                    P2 + " 127.0.0.1:30002@40002 master - 0 0 2 connected 8192-16383"),
                report(
                    A2,
                    P1 + " 127.0.0.1:30001@40001 master - 0 0 1 connected",
                    P2 + " 127.0.0.1:30002@40002 myself,master - 0 0 2 connected 8192-16383")));

    Agreement a = Agreement.of(view, true);

    assertThat(a.agreed()).isFalse();
    assertThat(a.problem()).contains("does not yet see the slots of 127.0.0.1:30001");
    assertThat(a.nudges()).containsExactly(new Agreement.Nudge(A1, A2, 40002));
  }

  @Test
  void anUnreachableNodeIsTheProblemAndNobodyIsNudged() {
    ClusterView view =
        new ClusterView(
            List.of(
                report(A1, P1 + " 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-16383"),
                NodeReport.unreachable(A2, "127.0.0.1:30002: connection refused")));

    Agreement a = Agreement.of(view, false);

    assertThat(a.problem()).isEqualTo("127.0.0.1:30002: connection refused");
    assertThat(a.nudges()).isEmpty();
  }
}
