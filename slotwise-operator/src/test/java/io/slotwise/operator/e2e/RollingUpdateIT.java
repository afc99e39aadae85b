package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.engine.testing.ClientLoad;
import io.slotwise.operator.model.Labels;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A change that needs a restart rolls the cluster one shard at a time (replicas, then a failover,
 * then the old primary) with no failed request; a live directive is set without any restart.
 */
class RollingUpdateIT extends EndToEndTest {

  @BeforeAll
  static void start() {
    k8s = OperatorHarness.start(dir);
  }

  @Test
  void aNewImageRollsEveryPodWithoutAFailedRequest() {
    String ns = "roll";
    k8s.create(ns, "web", spec -> {});
    RedisCluster before = k8s.awaitReady(ns, "web");
    Map<String, String> uids = uids(k8s.pods(ns, "web"));
    try (ClientLoad load = k8s.load(ns, "web")) {
      await().until(() -> load.requests() > 2000);

      k8s.edit(ns, "web", spec -> spec.setImage("redis:7.2.4"));
      RedisCluster after =
          k8s.awaitStatus(
              ns,
              "web",
              "every pod on the new revision and Ready",
              rc ->
                  OperatorHarness.readyNow(rc)
                      && rc.getStatus().getDesiredRevision() != null
                      && !rc.getStatus()
                          .getDesiredRevision()
                          .equals(before.getStatus().getDesiredRevision())
                      && k8s.pods(ns, "web").stream()
                          .allMatch(
                              p ->
                                  rc.getStatus()
                                      .getDesiredRevision()
                                      .equals(
                                          p.getMetadata().getAnnotations().get(Labels.REVISION))));
      assertThat(after.getStatus().getCurrentRevision())
          .isEqualTo(after.getStatus().getDesiredRevision());
      List<Pod> pods = k8s.pods(ns, "web");
      assertThat(pods).hasSize(6);
      assertThat(pods)
          .allSatisfy(
              p ->
                  assertThat(p.getMetadata().getUid())
                      .isNotEqualTo(uids.get(p.getMetadata().getName())));
      assertThat(pods)
          .allSatisfy(
              p ->
                  assertThat(p.getSpec().getContainers().get(0).getImage())
                      .isEqualTo("redis:7.2.4"));

      k8s.verify(load, ns, "web", false);
    }
  }

  @Test
  void aLiveDirectiveIsSetWithoutRestartingAnyPod() {
    String ns = "live";
    k8s.create(ns, "cache", spec -> {});
    k8s.awaitReady(ns, "cache");
    Map<String, String> uids = uids(k8s.pods(ns, "cache"));

    k8s.edit(ns, "cache", spec -> spec.setConfig(Map.of("maxmemory-policy", "allkeys-lru")));
    k8s.awaitReady(ns, "cache");

    await("maxmemory-policy set on every node")
        .until(
            () ->
                k8s.configOnEveryNode(ns, "cache", "maxmemory-policy").stream()
                    .allMatch("allkeys-lru"::equals));
    assertThat(uids(k8s.pods(ns, "cache"))).isEqualTo(uids);
  }

  private static Map<String, String> uids(List<Pod> pods) {
    return pods.stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
  }
}
