package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.api.v1alpha1.Operation;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.operator.model.Labels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An operator stopped in the middle of an operation and started again finishes it from what status
 * and Redis say; and one cluster's long operation does not keep another waiting. The operator moves
 * few slots per reconcile here, so that operations last long enough to be interrupted.
 */
class OperatorRestartIT extends EndToEndTest {

  @BeforeAll
  static void start() {
    k8s = OperatorHarness.start(dir, 128);
  }

  @Test
  void aScaleInterruptedByAnOperatorRestartFinishes() {
    String ns = "restart-scale";
    k8s.create(ns, "ledger", spec -> {});
    k8s.awaitReady(ns, "ledger");
    try (ClientLoad load = k8s.load(ns, "ledger")) {
      await().until(() -> load.requests() > 2000);
      k8s.edit(ns, "ledger", spec -> spec.setShards(4));
      k8s.awaitStatus(
          ns,
          "ledger",
          "slots moving to the new shard",
          rc ->
              rc.getStatus().getOperation() != null
                  && Operation.SCALING_OUT.equals(rc.getStatus().getOperation().getType())
                  && rc.getStatus().getOperation().getSlotsMoved() > 0);

      k8s.stopOperator();
      k8s.startOperator();

      RedisCluster rc = k8s.awaitReady(ns, "ledger");
      assertThat(rc.getStatus().getShards()).hasSize(4);
      assertThat(rc.getStatus().getShards())
          .allSatisfy(
              s ->
                  assertThat(s.getNodes().stream().mapToInt(n -> n.getSlots()).sum())
                      .isBetween(4095, 4097));
      k8s.verify(load, ns, "ledger", false);
    }
  }

  @Test
  void aRollInterruptedByAnOperatorRestartFinishes() {
    String ns = "restart-roll";
    k8s.create(ns, "queue", spec -> {});
    k8s.awaitReady(ns, "queue");
    try (ClientLoad load = k8s.load(ns, "queue")) {
      await().until(() -> load.requests() > 2000);
      k8s.edit(ns, "queue", spec -> spec.setImage("redis:7.2.4"));
      RedisCluster rolling =
          k8s.awaitStatus(
              ns,
              "queue",
              "a pod restarted on the new revision",
              rc ->
                  rc.getStatus().getOperation() != null
                      && Operation.ROLLING.equals(rc.getStatus().getOperation().getType())
                      && rc.getStatus().getOperation().getDone() > 0);
      String revision = rolling.getStatus().getDesiredRevision();

      k8s.stopOperator();
      k8s.startOperator();

      k8s.awaitStatus(
          ns,
          "queue",
          "every pod on the new revision and Ready",
          rc ->
              OperatorHarness.readyNow(rc)
                  && k8s.pods(ns, "queue").stream()
                      .allMatch(
                          p ->
                              revision.equals(
                                  p.getMetadata().getAnnotations().get(Labels.REVISION))));
      k8s.verify(load, ns, "queue", false);
    }
  }

  @Test
  void aSecondClusterBecomesReadyWhileTheFirstReshards() {
    String ns = "two";
    k8s.create(ns, "big", spec -> {});
    k8s.awaitReady(ns, "big");
    k8s.edit(ns, "big", spec -> spec.setShards(5));
    k8s.awaitStatus(
        ns,
        "big",
        "big resharding",
        rc ->
            rc.getStatus().getOperation() != null
                && rc.getStatus().getOperation().getSlotsMoved() > 0);

    k8s.create(ns, "small", spec -> {});
    k8s.awaitReady(ns, "small");

    RedisCluster big = k8s.get(ns, "big");
    assertThat(big.getStatus().getOperation())
        .as("big is still resharding when small is Ready")
        .isNotNull();
    k8s.awaitReady(ns, "big");
  }
}
