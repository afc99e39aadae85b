package io.slotwise.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.slotwise.engine.testing.Leftovers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod simulator on its own (no operator): StatefulSets become pods running real redis-server
 * processes on fresh loopback addresses, with volumes that outlive pods and owners that are
 * garbage-collected. Each test works in a namespace of its own on one shared simulation.
 */
class PodSimulatorIT {
  private static final String PASSWORD = "s3cret-pass\"word";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static Simulation sim;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    sim = Simulation.start(dir, null);
    if (SimulatedKubernetes.committedCrd().isEmpty()) {
      // Only outside the repository: the committed CRD is created by the simulation itself.
      sim.kubernetes().createCrd(TestCrd.redisCluster());
    }
    client = sim.client();
  }

  @AfterAll
  static void stop() {
    try {
      if (sim != null) {
        sim.close();
      }
      assertThat(Leftovers.under(dir)).as("processes left behind").isEmpty();
    } finally {
      Leftovers.kill(dir);
    }
  }

  /**
   * A ConfigMap with redis.conf, a Secret with the password, a StatefulSet of the contract's shape.
   */
  private static StatefulSet shard(
      String ns, String name, int replicas, String image, boolean persistent) {
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name + "-config")
                .endMetadata()
                .addToData(
                    "redis.conf",
                    "appendonly yes\nappendfsync always\nport 6379\nbind 0.0.0.0\ncluster-node-timeout 3000\n")
                .build())
        .create();
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name + "-auth")
                .endMetadata()
                .addToData(
                    "password",
                    Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    StatefulSetBuilder b =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withPodManagementPolicy("Parallel")
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .withServiceName(name + "-nodes")
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .addToAnnotations("slotwise.io/revision", "r1")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("redis")
            .withImage(image)
            .addNewEnv()
            .withName("REDIS_PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(name + "-auth")
            .withKey("password")
            .endSecretKeyRef()
            .endValueFrom()
            .endEnv()
            .addNewVolumeMount()
            .withName("config")
            .withMountPath("/etc/redis")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("config")
            .withNewConfigMap()
            .withName(name + "-config")
            .endConfigMap()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec();
    if (persistent) {
      b.editSpec()
          .addNewVolumeClaimTemplate()
          .withNewMetadata()
          .withName("data")
          .endMetadata()
          .withNewSpec()
          .withAccessModes("ReadWriteOnce")
          .withNewResources()
          .addToRequests("storage", new Quantity("1Gi"))
          .endResources()
          .endSpec()
          .endVolumeClaimTemplate()
          .endSpec();
    }
    return client.apps().statefulSets().inNamespace(ns).resource(b.build()).create();
  }

  private static Pod pod(String ns, String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  private static List<Pod> readyPods(String ns) {
    return client.pods().inNamespace(ns).list().getItems().stream()
        .filter(PodSimulator::isReady)
        .toList();
  }

  private static String call(Pod p, String... args) {
    return Resp.call(p.getStatus().getPodIP(), sim.redisPort(), PASSWORD, args);
  }

  @Test
  void aStatefulSetBecomesReadyPodsWithDistinctAddressesThatNeedThePassword() {
    String ns = "ready";
    shard(ns, "rc-0", 3, "redis:7.2", true);
    await().atMost(WAIT).until(() -> readyPods(ns).size() == 3);
    List<Pod> pods = readyPods(ns);
    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("rc-0-0", "rc-0-1", "rc-0-2");
    Set<String> ips = pods.stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
    assertThat(ips).hasSize(3).allMatch(ip -> ip.startsWith("127.") && !ip.equals("127.0.0.1"));
    for (Pod p : pods) {
      assertThat(call(p, "PING")).isEqualTo("+PONG");
      assertThat(Resp.call(p.getStatus().getPodIP(), sim.redisPort(), null, "PING"))
          .startsWith("-NOAUTH");
      assertThat(call(p, "CLUSTER", "MYID")).as("cluster mode").hasSize(40);
      assertThat(p.getMetadata().getAnnotations()).containsEntry("slotwise.io/revision", "r1");
      assertThat(p.getMetadata().getLabels()).containsEntry("app", "rc-0");
      assertThat(p.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getKind()).isEqualTo("StatefulSet"));
      assertThat(p.getStatus().getPhase()).isEqualTo("Running");
    }
    assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("data-rc-0-0", "data-rc-0-1", "data-rc-0-2");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var st =
                  client.apps().statefulSets().inNamespace(ns).withName("rc-0").get().getStatus();
              return st != null && Integer.valueOf(3).equals(st.getReadyReplicas());
            });
  }

  @Test
  void aDeletedPodComesBackOnANewAddressWithItsVolumeAndData() {
    String ns = "recreate";
    shard(ns, "rc-0", 1, "redis:7.2", true);
    await().atMost(WAIT).until(() -> readyPods(ns).size() == 1);
    Pod before = pod(ns, "rc-0-0");
    assertThat(call(before, "CLUSTER", "ADDSLOTSRANGE", "0", "16383")).isEqualTo("+OK");
    await().atMost(WAIT).until(() -> call(before, "SET", "kept", "value").equals("+OK"));
    String nodeId = call(before, "CLUSTER", "MYID");
    assertThat(sim.pods().dataDir(ns, "rc-0-0")).contains(sim.pods().volumeDir(ns, "data-rc-0-0"));

    client.pods().inNamespace(ns).withName("rc-0-0").delete();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Pod p = pod(ns, "rc-0-0");
              return p != null
                  && !p.getMetadata().getUid().equals(before.getMetadata().getUid())
                  && PodSimulator.isReady(p);
            });
    Pod after = pod(ns, "rc-0-0");
    assertThat(after.getStatus().getPodIP()).isNotEqualTo(before.getStatus().getPodIP());
    assertThat(call(after, "CLUSTER", "MYID"))
        .as("nodes.conf kept on the volume")
        .isEqualTo(nodeId);
    await("the key to be read back once the node's cluster state is ok")
        .atMost(WAIT)
        .until(() -> call(after, "GET", "kept").equals("value"));
    assertThat(
            ReadinessProbe.ready(
                before.getStatus().getPodIP(), sim.redisPort(), PASSWORD.toCharArray()))
        .as("the old process is gone")
        .isFalse();
  }

  @Test
  void aCrashedContainerRestartsOnTheSameAddress() {
    String ns = "crash";
    shard(ns, "rc-0", 1, "redis:7.2", false);
    await().atMost(WAIT).until(() -> readyPods(ns).size() == 1);
    Pod before = pod(ns, "rc-0-0");
    sim.pods().holdDown(ns, "rc-0-0");
    await().atMost(WAIT).until(() -> !PodSimulator.isReady(pod(ns, "rc-0-0")));
    sim.pods().release(ns, "rc-0-0");
    await().atMost(WAIT).until(() -> PodSimulator.isReady(pod(ns, "rc-0-0")));
    Pod after = pod(ns, "rc-0-0");
    assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(after.getStatus().getPodIP()).isEqualTo(before.getStatus().getPodIP());
    assertThat(after.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
    assertThat(call(after, "PING")).isEqualTo("+PONG");
  }

  @Test
  void scalingInRemovesTheHighestPodAndKeepsItsVolume() {
    String ns = "scale";
    StatefulSet sts = shard(ns, "rc-0", 3, "redis:7.2", true);
    await().atMost(WAIT).until(() -> readyPods(ns).size() == 3);
    Path volume = sim.pods().volumeDir(ns, "data-rc-0-2");
    assertThat(volume).isDirectory();
    client.apps().statefulSets().inNamespace(ns).withName("rc-0").scale(2);
    await().atMost(WAIT).until(() -> pod(ns, "rc-0-2") == null);
    assertThat(readyPods(ns))
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("rc-0-0", "rc-0-1");
    assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("data-rc-0-2").get())
        .isNotNull();
    assertThat(volume).isDirectory();
    assertThat(sts.getMetadata().getName()).isEqualTo("rc-0");
  }

  @Test
  void deletingTheOwnerCascadesToStatefulSetsAndPodsAndStopsTheirProcesses() {
    String ns = "gc";
    GenericKubernetesResource rc =
        client
            .genericKubernetesResources(TestCrd.CONTEXT)
            .inNamespace(ns)
            .resource(TestCrd.cluster("rc", Map.of("shards", 1)))
            .create();
    StatefulSet sts = shard(ns, "rc-0", 2, "redis:7.2", false);
    sts.getMetadata()
        .setOwnerReferences(
            List.of(
                new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("slotwise.io/v1alpha1")
                    .withKind("RedisCluster")
                    .withName("rc")
                    .withUid(rc.getMetadata().getUid())
                    .withController(true)
                    .build()));
    client.apps().statefulSets().inNamespace(ns).resource(sts).update();
    await().atMost(WAIT).until(() -> readyPods(ns).size() == 2);
    Set<String> ips =
        readyPods(ns).stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());

    client.genericKubernetesResources(TestCrd.CONTEXT).inNamespace(ns).withName("rc").delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().statefulSets().inNamespace(ns).list().getItems().isEmpty()
                    && client.pods().inNamespace(ns).list().getItems().isEmpty());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String ip : ips) {
                assertThat(ReadinessProbe.ready(ip, sim.redisPort(), PASSWORD.toCharArray()))
                    .isFalse();
              }
            });
    assertThat(client.configMaps().inNamespace(ns).withName("rc-0-config").get())
        .as("not owned: kept")
        .isNotNull();
  }

  @Test
  void anImageThatCannotBePulledNeverBecomesReady() {
    String ns = "never";
    shard(ns, "rc-0", 1, "example/never-ready:1", false);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Pod p = pod(ns, "rc-0-0");
              return p != null
                  && p.getStatus() != null
                  && p.getStatus().getContainerStatuses() != null
                  && !p.getStatus().getContainerStatuses().isEmpty()
                  && "ImagePullBackOff"
                      .equals(
                          p.getStatus()
                              .getContainerStatuses()
                              .get(0)
                              .getState()
                              .getWaiting()
                              .getReason());
            });
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !PodSimulator.isReady(pod(ns, "rc-0-0"))
                    && "Pending".equals(pod(ns, "rc-0-0").getStatus().getPhase()));
    assertThat(pod(ns, "rc-0-0").getStatus().getPodIP()).isNull();
  }

  @Test
  void aMissingSecretKeepsThePodWaiting() {
    String ns = "nosecret";
    shard(ns, "rc-0", 1, "redis:7.2", false);
    client.secrets().inNamespace(ns).withName("rc-0-auth").delete();
    client.pods().inNamespace(ns).withName("rc-0-0").delete();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Pod p = pod(ns, "rc-0-0");
              return p != null
                  && p.getStatus() != null
                  && p.getStatus().getContainerStatuses() != null
                  && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                  && "CreateContainerConfigError"
                      .equals(
                          p.getStatus()
                              .getContainerStatuses()
                              .get(0)
                              .getState()
                              .getWaiting()
                              .getReason());
            });
    assertThat(Files.exists(dir)).isTrue();
  }
}
