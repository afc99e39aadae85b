package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.api.v1alpha1.NodeStatus;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.ShardStatus;
import io.slotwise.engine.testing.ClientLoad;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A RedisCluster applied to the simulated Kubernetes becomes a formed, served cluster. */
class ClusterLifecycleIT extends EndToEndTest {

  @BeforeAll
  static void start() {
    k8s = OperatorHarness.start(dir);
  }

  @Test
  void aNewClusterBecomesReadyWithEverySlotAndItsNodesInStatus() {
    k8s.create("create", "orders", spec -> {});
    RedisCluster rc = k8s.awaitReady("create", "orders");

    assertThat(rc.getStatus().getSlotsAssigned()).isEqualTo(16384);
    assertThat(rc.getStatus().getShards()).hasSize(3);
    for (ShardStatus shard : rc.getStatus().getShards()) {
      assertThat(shard.getNodes()).hasSize(2);
      assertThat(shard.getNodes())
          .filteredOn(n -> NodeStatus.PRIMARY.equals(n.getRole()))
          .hasSize(1);
      assertThat(shard.getNodes())
          .allSatisfy(
              n -> {
                assertThat(n.getPod()).startsWith("orders-" + shard.getIndex() + "-");
                assertThat(n.getNodeId()).hasSize(40);
                assertThat(n.isInSync()).isTrue();
              });
    }
    try (ClientLoad load = k8s.load("create", "orders")) {
      org.awaitility.Awaitility.await().until(() -> load.requests() > 2000);
      k8s.verify(load, "create", "orders", false);
    }
  }
}
