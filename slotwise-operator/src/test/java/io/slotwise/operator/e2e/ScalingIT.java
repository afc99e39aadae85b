package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.slotwise.api.v1alpha1.NodeStatus;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.ShardStatus;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.operator.model.Labels;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Changing {@code shards} and {@code replicasPerShard} of a running RedisCluster moves data and
 * nodes under a cluster client's load: no failed request, every acknowledged write read back.
 */
class ScalingIT extends EndToEndTest {

  @BeforeAll
  static void start() {
    k8s = OperatorHarness.start(dir);
  }

  @Test
  void shardsGoFromThreeToFourAndBackUnderLoad() {
    String ns = "shards";
    k8s.create(ns, "cart", spec -> {});
    k8s.awaitReady(ns, "cart");
    try (ClientLoad load = k8s.load(ns, "cart")) {
      await().until(() -> load.requests() > 2000);

      k8s.edit(ns, "cart", spec -> spec.setShards(4));
      RedisCluster four = k8s.awaitReady(ns, "cart");
      assertThat(four.getStatus().getShards()).hasSize(4);
      assertBalanced(four, 4);
      assertShardsKeepTheirStatefulSets(four);
      assertThat(statefulSets(ns, "cart")).hasSize(4);
      long before = load.requests();
      await().until(() -> load.requests() > before + 1000);

      k8s.edit(ns, "cart", spec -> spec.setShards(3));
      RedisCluster three = k8s.awaitReady(ns, "cart");
      assertThat(three.getStatus().getShards()).hasSize(3);
      assertBalanced(three, 3);
      assertShardsKeepTheirStatefulSets(three);
      await("StatefulSet cart-3 deleted").until(() -> statefulSets(ns, "cart").size() == 3);
      await("pods of cart-3 gone").until(() -> k8s.pods(ns, "cart").size() == 6);

      k8s.verify(load, ns, "cart", false);
      assertThat(k8s.metric("slotwise_slots_migrated_total")).isGreaterThanOrEqualTo(4096.0);
      assertThat(k8s.metric("slotwise_keys_migrated_total")).isGreaterThan(0.0);
      assertThat(k8s.metric("slotwise_reconcile_seconds_count")).isGreaterThan(0.0);
      assertThat(k8s.events(ns).stream().map(e -> e.getReason()))
          .contains("ShardCreated", "OperationStarted", "OperationFinished");
    }
  }

  @Test
  void replicasGoFromOneToTwoAndBackUnderLoad() {
    String ns = "replicas";
    k8s.create(ns, "feed", spec -> {});
    k8s.awaitReady(ns, "feed");
    try (ClientLoad load = k8s.load(ns, "feed")) {
      await().until(() -> load.requests() > 2000);

      k8s.edit(ns, "feed", spec -> spec.setReplicasPerShard(2));
      RedisCluster two = k8s.awaitReady(ns, "feed");
      assertThat(two.getStatus().getShards()).allSatisfy(s -> assertThat(s.getNodes()).hasSize(3));
      assertShardsKeepTheirStatefulSets(two);
      assertThat(k8s.pods(ns, "feed")).hasSize(9);

      k8s.edit(ns, "feed", spec -> spec.setReplicasPerShard(1));
      RedisCluster one = k8s.awaitReady(ns, "feed");
      assertThat(one.getStatus().getShards()).allSatisfy(s -> assertThat(s.getNodes()).hasSize(2));
      assertShardsKeepTheirStatefulSets(one);
      await("surplus pods gone").until(() -> k8s.pods(ns, "feed").size() == 6);
      assertNoNodeKnowsAGhost(one);

      k8s.verify(load, ns, "feed", false);
    }
  }

  private static List<StatefulSet> statefulSets(String ns, String name) {
    return k8s.client()
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withLabels(Labels.cluster(name))
        .list()
        .getItems();
  }

  /** Every primary holds its even share, give or take one slot. */
  private static void assertBalanced(RedisCluster rc, int shards) {
    for (ShardStatus s : rc.getStatus().getShards()) {
      int slots =
          s.getNodes().stream()
              .filter(n -> NodeStatus.PRIMARY.equals(n.getRole()))
              .mapToInt(NodeStatus::getSlots)
              .sum();
      assertThat(Math.abs(slots - 16384.0 / shards))
          .as("slots of shard " + s.getIndex())
          .isLessThan(1.0);
    }
  }

  /** Each shard is one primary and its replicas, all pods of that shard's StatefulSet. */
  private static void assertShardsKeepTheirStatefulSets(RedisCluster rc) {
    for (ShardStatus s : rc.getStatus().getShards()) {
      assertThat(s.getIndex()).isGreaterThanOrEqualTo(0);
      assertThat(s.getNodes()).filteredOn(n -> NodeStatus.PRIMARY.equals(n.getRole())).hasSize(1);
      assertThat(s.getNodes())
          .allSatisfy(
              n ->
                  assertThat(n.getPod())
                      .startsWith(rc.getMetadata().getName() + "-" + s.getIndex() + "-"));
    }
  }

  /** The status lists exactly the cluster's nodes, and no node knows one that is not listed. */
  private static void assertNoNodeKnowsAGhost(RedisCluster rc) {
    List<String> ids =
        rc.getStatus().getShards().stream()
            .flatMap(s -> s.getNodes().stream())
            .map(NodeStatus::getNodeId)
            .toList();
    assertThat(k8s.clusterNodeIds(rc.getMetadata().getNamespace(), rc.getMetadata().getName()))
        .allSatisfy(known -> assertThat(ids).containsExactlyInAnyOrderElementsOf(known));
  }
}
