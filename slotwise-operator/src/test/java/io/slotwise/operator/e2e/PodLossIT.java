package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.slotwise.api.v1alpha1.NodeStatus;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterStatus;
import io.slotwise.api.v1alpha1.ShardStatus;
import io.slotwise.api.v1alpha1.Storage;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods lost under a client load heal without losing an acknowledged write: a pod that keeps its
 * volume comes back as the same node at a new address; an empty one comes back as a new replica
 * with its ghost forgotten everywhere; every pod of a persistent cluster restarting at once (every
 * address changes) re-forms the same cluster. Requests may fail while a primary is down; no read is
 * wrong and every acknowledged write is read back.
 */
class PodLossIT extends EndToEndTest {

  @BeforeAll
  static void start() {
    k8s = OperatorHarness.start(dir);
  }

  @Test
  void aPersistentPrimaryPodComesBackAtANewAddressAsTheSameNode() {
    String ns = "persist-one";
    k8s.create(ns, "orders", spec -> spec.setStorage(new Storage("1Gi")));
    RedisCluster before = k8s.awaitReady(ns, "orders");
    NodeStatus primary = primaryOf(before, 0);

    try (ClientLoad load = k8s.load(ns, "orders")) {
      await().atMost(OperatorHarness.LONG).until(() -> load.requests() > 2000);
      k8s.client().pods().inNamespace(ns).withName(primary.getPod()).delete();

      RedisCluster after =
          k8s.awaitStatus(
              ns,
              "orders",
              "pod " + primary.getPod() + " back at a new address and the cluster Ready",
              rc ->
                  OperatorHarness.readyNow(rc)
                      && node(rc, primary.getPod())
                          .filter(n -> !n.getAddress().equals(primary.getAddress()))
                          .isPresent());
      NodeStatus back = node(after, primary.getPod()).orElseThrow();
      assertThat(back.getNodeId()).as("node id of the pod back").isEqualTo(primary.getNodeId());
      assertThat(nodeIds(after)).isEqualTo(nodeIds(before));
      assertSoundMembership(ns, "orders", 6);
      awaitMoreRequests(load, 2000);
      k8s.verify(load, ns, "orders", true);
      report(ns, load);
    }
  }

  @Test
  void anEphemeralPrimaryPodIsReplacedByItsReplicaAndComesBackAsANewReplica() {
    String ns = "ephemeral-one";
    k8s.create(ns, "orders", spec -> {});
    RedisCluster before = k8s.awaitReady(ns, "orders");
    NodeStatus primary = primaryOf(before, 0);
    NodeStatus replica = replicaOf(before, 0);

    try (ClientLoad load = k8s.load(ns, "orders")) {
      await().atMost(OperatorHarness.LONG).until(() -> load.requests() > 2000);
      RedisCluster after = deleteAndAwaitNewNode(ns, primary);
      NodeStatus back = node(after, primary.getPod()).orElseThrow();
      assertThat(back.getRole()).as("role of the pod back empty").isEqualTo(NodeStatus.REPLICA);
      NodeStatus promoted = node(after, replica.getPod()).orElseThrow();
      assertThat(promoted.getNodeId()).isEqualTo(replica.getNodeId());
      assertThat(promoted.getRole()).as("role of the old replica").isEqualTo(NodeStatus.PRIMARY);
      assertThat(promoted.getSlots()).isEqualTo(primary.getSlots());
      assertThat(eventReasons(ns)).as("Events").contains("NodesForgotten");
      // The seconds before Redis promotes the replica are progress, not a fault to warn about.
      assertThat(eventReasons(ns)).as("Events").doesNotContain("RepairNeeded", "Unsafe");
      Map<String, List<NodeRecord>> membership = assertSoundMembership(ns, "orders", 6);
      assertForgottenEverywhere(membership, primary.getNodeId());
      awaitMoreRequests(load, 2000);
      k8s.verify(load, ns, "orders", true);
      report(ns, load);
    }
  }

  @Test
  void anEphemeralReplicaPodComesBackAsANewReplicaOfTheSamePrimary() {
    String ns = "ephemeral-replica";
    k8s.create(ns, "orders", spec -> {});
    RedisCluster before = k8s.awaitReady(ns, "orders");
    NodeStatus primary = primaryOf(before, 1);
    NodeStatus replica = replicaOf(before, 1);

    try (ClientLoad load = k8s.load(ns, "orders")) {
      await().atMost(OperatorHarness.LONG).until(() -> load.requests() > 2000);
      RedisCluster after = deleteAndAwaitNewNode(ns, replica);
      NodeStatus back = node(after, replica.getPod()).orElseThrow();
      assertThat(back.getRole()).isEqualTo(NodeStatus.REPLICA);
      assertThat(node(after, primary.getPod()).orElseThrow().getNodeId())
          .isEqualTo(primary.getNodeId());
      Map<String, List<NodeRecord>> membership = assertSoundMembership(ns, "orders", 6);
      assertThat(membership.get(replica.getPod()))
          .filteredOn(NodeRecord::myself)
          .singleElement()
          .satisfies(r -> assertThat(r.primaryId()).isEqualTo(primary.getNodeId()));
      assertForgottenEverywhere(membership, replica.getNodeId());
      awaitMoreRequests(load, 2000);
      k8s.verify(load, ns, "orders", false);
      report(ns, load);
    }
  }

  @Test
  void everyPodOfAPersistentClusterRestartingAtOnceReformsTheSameCluster() {
    String ns = "persist-all";
    k8s.create(ns, "orders", spec -> spec.setStorage(new Storage("1Gi")));
    RedisCluster before = k8s.awaitReady(ns, "orders");
    Map<String, String> addressesBefore = new TreeMap<>();
    allNodes(before).forEach(n -> addressesBefore.put(n.getPod(), n.getAddress()));

    try (ClientLoad load = k8s.load(ns, "orders")) {
      await().atMost(OperatorHarness.LONG).until(() -> load.requests() > 2000);
      k8s.simulation().pods().deleteAllPods(ns);

      RedisCluster after =
          k8s.awaitStatus(
              ns,
              "orders",
              "every pod back at a new address and the cluster Ready",
              rc ->
                  OperatorHarness.readyNow(rc)
                      && allNodes(rc).size() == addressesBefore.size()
                      && allNodes(rc).stream()
                          .allMatch(
                              n ->
                                  n.getPod() != null
                                      && !n.getAddress().equals(addressesBefore.get(n.getPod()))));
      assertThat(nodeIds(after)).as("node id of each pod").isEqualTo(nodeIds(before));
      assertThat(eventReasons(ns)).as("Events").contains("NodesReintroduced");
      assertSoundMembership(ns, "orders", 6);
      // The load's client knew only the old addresses; what it had acknowledged must be there.
      k8s.verify(load, ns, "orders", true);
      report(ns, load);
    }
    try (ClientLoad load = k8s.load(ns, "orders")) {
      await().atMost(OperatorHarness.LONG).until(() -> load.requests() > 2000);
      k8s.verify(load, ns, "orders", false);
      report(ns + " (after)", load);
    }
  }

  @Test
  void anEphemeralPrimaryWithoutReplicaLostIsNeitherForgottenNorReplaced() {
    String ns = "ephemeral-alone";
    k8s.create(ns, "orders", spec -> spec.setReplicasPerShard(0));
    RedisCluster before = k8s.awaitReady(ns, "orders");
    NodeStatus primary = primaryOf(before, 0);

    k8s.client().pods().inNamespace(ns).withName(primary.getPod()).delete();

    RedisCluster blocked =
        k8s.awaitStatus(
            ns,
            "orders",
            "Degraded, saying the lost shard has no replica",
            rc ->
                OperatorHarness.condition(rc, RedisClusterStatus.DEGRADED, "True")
                    && OperatorHarness.condition(rc, RedisClusterStatus.READY, "False")
                    && conditionMessage(rc, RedisClusterStatus.DEGRADED).contains("no replica")
                    && node(rc, primary.getPod())
                        .filter(n -> !n.getNodeId().equals(primary.getNodeId()))
                        .isPresent());
    assertThat(OperatorHarness.reason(blocked, RedisClusterStatus.DEGRADED))
        .isEqualTo("RepairNeeded");
    assertThat(eventReasons(ns)).as("Events").doesNotContain("NodesForgotten");
    // The survivors still know the lost primary (failed) with its slots; the pod back empty was
    // not joined, and no slot went to another node.
    for (NodeStatus n : allNodes(before)) {
      if (n.getPod().equals(primary.getPod())) {
        assertThat(k8s.clusterNodes(ns, "orders", n.getPod())).hasSize(1);
        continue;
      }
      List<NodeRecord> known =
          k8s.clusterNodes(ns, "orders", n.getPod()).stream().map(NodeRecord::parse).toList();
      assertThat(known).hasSize(3);
      NodeRecord ghost =
          known.stream().filter(r -> r.id().equals(primary.getNodeId())).findFirst().orElseThrow();
      assertThat(ghost.failed()).as("the lost primary flagged failed").isTrue();
      assertThat(ghost.slots().size()).isEqualTo(primary.getSlots());
      NodeRecord self = known.stream().filter(NodeRecord::myself).findFirst().orElseThrow();
      assertThat(self.slots().size()).isEqualTo(n.getSlots());
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  static NodeStatus primaryOf(RedisCluster rc, int shard) {
    return rc.getStatus().getShards().stream()
        .filter(s -> s.getIndex() == shard)
        .flatMap(s -> s.getNodes().stream())
        .filter(n -> NodeStatus.PRIMARY.equals(n.getRole()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("shard " + shard + " has no primary in status"));
  }

  static List<NodeStatus> allNodes(RedisCluster rc) {
    List<NodeStatus> out = new ArrayList<>();
    if (rc.getStatus() != null && rc.getStatus().getShards() != null) {
      for (ShardStatus s : rc.getStatus().getShards()) {
        out.addAll(s.getNodes());
      }
    }
    return out;
  }

  static Optional<NodeStatus> node(RedisCluster rc, String pod) {
    return allNodes(rc).stream().filter(n -> pod.equals(n.getPod())).findFirst();
  }

  /** Pod name → node id, from status. */
  static Map<String, String> nodeIds(RedisCluster rc) {
    Map<String, String> out = new TreeMap<>();
    allNodes(rc).forEach(n -> out.put(n.getPod(), n.getNodeId()));
    return out;
  }

  /** What the load saw, for the test's output. */
  static void report(String what, ClientLoad load) {
    System.out.printf(
        "%s: %d requests, %d failed, %d acknowledged keys read back%n",
        what, load.requests(), load.failures().size(), load.acknowledged().size());
  }

  static String conditionMessage(RedisCluster rc, String type) {
    return rc.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getMessage() == null ? "" : c.getMessage())
        .findFirst()
        .orElse("");
  }

  static NodeStatus replicaOf(RedisCluster rc, int shard) {
    return rc.getStatus().getShards().get(shard).getNodes().stream()
        .filter(n -> NodeStatus.REPLICA.equals(n.getRole()))
        .findFirst()
        .orElseThrow();
  }

  /** Deletes the node's ephemeral pod; waits until it is back as another node, cluster Ready. */
  static RedisCluster deleteAndAwaitNewNode(String ns, NodeStatus gone) {
    k8s.client().pods().inNamespace(ns).withName(gone.getPod()).delete();
    return k8s.awaitStatus(
        ns,
        "orders",
        "pod " + gone.getPod() + " back as a new node and the cluster Ready",
        rc ->
            OperatorHarness.readyNow(rc)
                && node(rc, gone.getPod())
                    .filter(n -> !n.getNodeId().equals(gone.getNodeId()))
                    .isPresent());
  }

  static void assertForgottenEverywhere(Map<String, List<NodeRecord>> membership, String id) {
    membership.forEach(
        (pod, known) ->
            assertThat(known)
                .as("CLUSTER NODES of " + pod + " names the ghost " + id)
                .noneMatch(r -> r.id().equals(id)));
  }

  static List<String> eventReasons(String ns) {
    return k8s.client().v1().events().inNamespace(ns).list().getItems().stream()
        .map(e -> e.getReason())
        .toList();
  }

  static void awaitMoreRequests(ClientLoad load, long more) {
    long target = load.requests() + more;
    await("the load going on after the heal")
        .atMost(OperatorHarness.LONG)
        .until(() -> load.requests() > target);
  }

  /**
   * Every pod's own {@code CLUSTER NODES} lists exactly the pods' nodes, at their current
   * addresses, none failed or in a handshake; returns each pod's view.
   */
  static Map<String, List<NodeRecord>> assertSoundMembership(String ns, String name, int size) {
    Map<String, List<NodeRecord>> views = new TreeMap<>();
    await("every node to see the " + size + " pods' nodes and no other")
        .atMost(OperatorHarness.LONG)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              views.clear();
              List<Pod> pods = k8s.pods(ns, name);
              assertThat(pods).hasSize(size);
              List<String> addresses =
                  pods.stream()
                      .map(p -> new NodeAddress(p.getStatus().getPodIP(), k8s.redisPort()))
                      .map(NodeAddress::toString)
                      .sorted()
                      .toList();
              for (Pod p : pods) {
                List<NodeRecord> known =
                    k8s.clusterNodes(ns, name, p.getMetadata().getName()).stream()
                        .map(NodeRecord::parse)
                        .toList();
                views.put(p.getMetadata().getName(), known);
                assertThat(known)
                    .as("CLUSTER NODES of " + p.getMetadata().getName())
                    .hasSize(size)
                    .noneMatch(failedOrHandshake());
                assertThat(known.stream().map(r -> String.valueOf(r.address())).sorted())
                    .as("addresses in CLUSTER NODES of " + p.getMetadata().getName())
                    .containsExactlyElementsOf(addresses);
              }
            });
    return views;
  }

  static Predicate<NodeRecord> failedOrHandshake() {
    return r -> r.failed() || r.possiblyFailed() || r.handshake() || r.noAddress();
  }
}
