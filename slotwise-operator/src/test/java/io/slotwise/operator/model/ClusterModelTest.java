package io.slotwise.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterModelTest {
  static final OwnerReference OWNER =
      new OwnerReferenceBuilder()
          .withApiVersion("slotwise.io/v1alpha1")
          .withKind("RedisCluster")
          .withName("cache")
          .withUid("u-1")
          .withController(true)
          .build();

  static ClusterSettings settings(Map<String, String> config, String storage) {
    return new ClusterSettings(
        "cache",
        "ns",
        6379,
        3,
        1,
        null,
        null,
        storage,
        null,
        config,
        true,
        "cache-auth",
        true,
        null,
        false,
        null);
  }

  ClusterModel model = new ClusterModel(settings(Map.of(), null), OWNER);

  @Test
  void everyObjectIsNamedLabelledAndOwnedByTheCluster() {
    var objects =
        List.of(
            model.secret("pw"),
            model.configMap(),
            model.headlessService(),
            model.clientService(),
            model.podDisruptionBudget(1),
            model.statefulSet(1, 2));
    assertThat(objects)
        .extracting(o -> o.getMetadata().getName())
        .containsExactly(
            "cache-auth", "cache-config", "cache-nodes", "cache", "cache-1", "cache-1");
    for (var o : objects) {
      assertThat(o.getMetadata().getNamespace()).isEqualTo("ns");
      assertThat(o.getMetadata().getOwnerReferences()).containsExactly(OWNER);
      assertThat(o.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/name", "redis-cluster")
          .containsEntry("app.kubernetes.io/instance", "cache")
          .containsEntry("app.kubernetes.io/managed-by", "slotwise");
    }
  }

  @Test
  void generatedPasswordsAreLongRandomAndLandOnlyInTheSecret() {
    String a = ClusterModel.newPassword();
    assertThat(a).hasSize(32).matches("[A-Za-z0-9]+").isNotEqualTo(ClusterModel.newPassword());
    String stored = model.secret(a).getData().get("password");
    assertThat(new String(Base64.getDecoder().decode(stored), StandardCharsets.UTF_8)).isEqualTo(a);
  }

  @Test
  void configHoldsClusterSettingsAndUserDirectivesButNoSecret() {
    String conf =
        new ClusterModel(settings(Map.of("maxmemory", "100mb", "io-threads", "2"), "1Gi"), OWNER)
            .configMap()
            .getData()
            .get("redis.conf");
    assertThat(conf)
        .contains("cluster-enabled yes\n", "port 6379\n", "appendonly yes\n")
        .contains("maxmemory 100mb\n", "io-threads 2\n")
        .doesNotContain("requirepass", "masterauth");
    assertThat(model.configMap().getData().get("redis.conf")).contains("appendonly no\n");
  }

  @Test
  void servicesPublishNotReadyPodsOnTheHeadlessOneAndServeClientsOnTheOther() {
    assertThat(model.headlessService().getSpec().getClusterIP()).isEqualTo("None");
    assertThat(model.headlessService().getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(model.clientService().getSpec().getPorts().get(0).getPort()).isEqualTo(6379);
    assertThat(model.clientService().getSpec().getSelector())
        .containsEntry("app.kubernetes.io/component", "redis");
  }

  @Test
  void oneDisruptionAtATimePerShard() {
    PodDisruptionBudget pdb = model.podDisruptionBudget(2);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsEntry("slotwise.io/shard", "2");
  }

  @Test
  void statefulSetPerShardIsParallelOnDeleteAndCarriesTheRevision() {
    StatefulSet sts = model.statefulSet(0, 2);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(2);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("cache-nodes");
    assertThat(sts.getSpec().getSelector().getMatchLabels())
        .containsEntry("slotwise.io/shard", "0");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("slotwise.io/shard", "0");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("slotwise.io/revision", model.revision());
    assertThat(sts.getSpec().getVolumeClaimTemplates()).isEmpty();
    var anti =
        sts.getSpec()
            .getTemplate()
            .getSpec()
            .getAffinity()
            .getPodAntiAffinity()
            .getPreferredDuringSchedulingIgnoredDuringExecution()
            .get(0)
            .getPodAffinityTerm();
    assertThat(anti.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(anti.getLabelSelector().getMatchLabels()).containsEntry("slotwise.io/shard", "0");
  }

  @Test
  void persistentClustersClaimAVolumePerPod() {
    StatefulSet sts = new ClusterModel(settings(Map.of(), "2Gi"), OWNER).statefulSet(0, 2);
    assertThat(sts.getSpec().getVolumeClaimTemplates()).hasSize(1);
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("2Gi"));
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getName())
        .doesNotContain("data");
  }

  @Test
  void thePasswordReachesRedisThroughAMountedFileNeverAnArgumentOrLiteral() {
    Container redis =
        model.statefulSet(0, 2).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(redis.getArgs()).isEmpty();
    assertThat(String.join(" ", redis.getCommand()))
        .contains("/etc/slotwise/auth/password", "requirepass", "masterauth");
    assertThat(redis.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/slotwise/auth"));
    assertThat(redis.getEnv()).extracting(EnvVar::getName).doesNotContain("REDIS_PASSWORD");
  }

  @Test
  void userPlacementOverridesTheDefaultAntiAffinityAndAddsToPods() {
    var affinity =
        new AffinityBuilder()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey("zone")
            .withOperator("In")
            .withValues("a")
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .build();
    var placement =
        new ClusterSettings.Placement(
            Map.of("disk", "ssd"),
            List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").build()),
            affinity,
            null,
            Map.of("team", "cache"),
            Map.of("tier", "data", "slotwise.io/shard", "9"));
    var s = settings(Map.of(), null);
    var withPlacement =
        new ClusterSettings(
            s.name(),
            s.namespace(),
            s.redisPort(),
            3,
            1,
            null,
            null,
            null,
            null,
            Map.of(),
            true,
            "cache-auth",
            true,
            placement,
            false,
            null);
    var pod = new ClusterModel(withPlacement, OWNER).statefulSet(0, 2).getSpec().getTemplate();
    assertThat(pod.getSpec().getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(pod.getSpec().getTolerations()).hasSize(1);
    assertThat(pod.getSpec().getAffinity()).isEqualTo(affinity);
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("team", "cache");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("tier", "data")
        .containsEntry("slotwise.io/shard", "0");
  }

  @Test
  void liveDirectivesDoNotChangeTheRevisionButRestartOnesImageAndResourcesDo() {
    String base = new ClusterModel(settings(Map.of(), null), OWNER).revision();
    assertThat(
            new ClusterModel(
                    settings(Map.of("maxmemory", "1gb", "maxmemory-policy", "allkeys-lru"), null),
                    OWNER)
                .revision())
        .isEqualTo(base);
    assertThat(new ClusterModel(settings(Map.of("io-threads", "4"), null), OWNER).revision())
        .isNotEqualTo(base);
    assertThat(
            new ClusterModel(settings(Map.of(), null).withImage("valkey/valkey:8"), OWNER)
                .revision())
        .isNotEqualTo(base);
    var s = settings(Map.of(), null);
    var withResources =
        new ClusterSettings(
            s.name(),
            s.namespace(),
            s.redisPort(),
            3,
            1,
            null,
            new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("1Gi")).build(),
            null,
            null,
            Map.of(),
            true,
            "cache-auth",
            true,
            null,
            false,
            null);
    assertThat(new ClusterModel(withResources, OWNER).revision()).isNotEqualTo(base);
    assertThat(new ClusterModel(settings(Map.of(), null), OWNER).revision()).isEqualTo(base);
  }

  @Test
  void exporterSidecarOnlyWhenEnabledAndItsPasswordComesFromTheSecret() {
    assertThat(model.statefulSet(0, 2).getSpec().getTemplate().getSpec().getContainers())
        .hasSize(1);
    var s = settings(Map.of(), null);
    var withExporter =
        new ClusterSettings(
            s.name(),
            s.namespace(),
            s.redisPort(),
            3,
            1,
            null,
            null,
            null,
            null,
            Map.of(),
            true,
            "cache-auth",
            true,
            null,
            false,
            ClusterSettings.DEFAULT_EXPORTER_IMAGE);
    var containers =
        new ClusterModel(withExporter, OWNER)
            .statefulSet(0, 2)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers();
    assertThat(containers).extracting(Container::getName).containsExactly("redis", "exporter");
    EnvVar pw =
        containers.get(1).getEnv().stream()
            .filter(e -> e.getName().equals("REDIS_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertThat(pw.getValue()).isNull();
    assertThat(pw.getValueFrom().getSecretKeyRef().getName()).isEqualTo("cache-auth");
  }
}
