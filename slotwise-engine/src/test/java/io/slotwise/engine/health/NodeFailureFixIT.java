package io.slotwise.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes that crashed or never answered: check names them, fix makes every node forget them. */
class NodeFailureFixIT {
  @TempDir Path home;
  private BrokenCluster broken;

  @AfterEach
  void stop() {
    if (broken != null) {
      broken.close();
    }
  }

  @Test
  void crashedReplicaIsForgottenOnEveryNode() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    NodeReport replica =
        view.reachable().stream().filter(r -> r.self().replica()).findFirst().orElseThrow();
    String ghost = ClusterChecker.name(view, replica.id());

    broken.process(replica).crash();

    List<Problem> problems = broken.awaitProblem(ProblemKind.FAILED_NODE);
    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.kind()).isEqualTo(ProblemKind.FAILED_NODE);
              assertThat(p.message()).startsWith(ghost + " is marked failed by ");
            });
    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.kind()).isEqualTo(ProblemKind.UNREACHABLE_NODE);
              assertThat(p.message()).startsWith(replica.address() + ": cannot connect");
            });
    assertThat(broken.fix()).contains("forgot ghost " + ghost + " on every node");

    broken.assertForgottenEverywhere(replica.id());
    // Its shard has no replica left: check keeps saying so until a node takes the dead one's place.
    broken.awaitOnly(ProblemKind.UNEVEN_REPLICAS);
    broken.addReplica();
    broken.awaitHealthyWithEveryKey();
  }

  @Test
  void crashedPrimaryIsReplacedByItsReplicaAndForgotten() {
    broken = BrokenCluster.start(home, 3, 1, 300);
    ClusterView view = broken.view();
    NodeReport primary = view.slotOwners().get(0);
    NodeReport heir = view.replicasOf(primary.id()).get(0);
    String ghost = ClusterChecker.name(view, primary.id());

    broken.process(primary).crash();
    await("for Redis to promote " + heir.address())
        .atMost(BrokenCluster.CONVERGENCE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                broken
                    .cluster
                    .observer()
                    .report(heir.address())
                    .self()
                    .slots()
                    .equals(primary.self().slots()));

    List<Problem> problems = broken.awaitProblem(ProblemKind.FAILED_NODE);
    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.kind()).isEqualTo(ProblemKind.FAILED_NODE);
              assertThat(p.message()).startsWith(ghost + " is marked failed by ");
            });
    assertThat(problems)
        .filteredOn(p -> p.kind() == ProblemKind.UNEVEN_REPLICAS)
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .startsWith(
                        "shard of " + ClusterChecker.name(view, heir.id()) + " has 0 replica(s)"));
    assertThat(broken.fix()).contains("forgot ghost " + ghost + " on every node");

    broken.assertForgottenEverywhere(primary.id());
    broken.awaitOnly(ProblemKind.UNEVEN_REPLICAS);
    broken.addReplica();
    broken.awaitHealthyWithEveryKey();
    assertThat(broken.view().replicasOf(heir.id())).hasSize(1);
  }

  @Test
  void handshakeWithAnAddressWhereNothingListensIsDropped() throws IOException {
    broken = BrokenCluster.start(home, 3, 0, 200);
    ClusterView view = broken.view();
    // Redis drops a handshake by itself after the node timeout; make that longer than the test.
    for (NodeReport r : view.reachable()) {
      broken.node(r).configSet("cluster-node-timeout", "60000");
    }
    NodeAddress nowhere = unusedAddress();
    NodeReport greeter = view.reachable().get(0);

    broken.node(greeter).meet(nowhere, 0);

    assertThat(broken.check())
        .contains(
            new Problem(
                ProblemKind.HANDSHAKE_NODE,
                ClusterChecker.name(view, greeter.id()) + " is in handshake with " + nowhere));
    assertThat(broken.fix())
        .contains("made " + greeter.address() + " drop its handshake with " + nowhere);

    broken.awaitHealthyWithEveryKey();
  }

  /** A loopback address and port where nothing listens. */
  private static NodeAddress unusedAddress() throws IOException {
    String host = "127.253.253.253";
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return new NodeAddress(host, s.getLocalPort());
    }
  }
}
