package io.slotwise.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins what fabric8's CRUD mock server does and does not do, so that the end-to-end tests built on
 * it know which Kubernetes behaviour they get for free and which the simulator must supply.
 */
class SimulatedKubernetesTest {
  private static SimulatedKubernetes k8s;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    k8s = SimulatedKubernetes.start();
    k8s.createCrd(TestCrd.redisCluster());
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  private static NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      clusters() {
    return client.genericKubernetesResources(TestCrd.CONTEXT).inNamespace("default");
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(k8s.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  @Test
  void servesDiscoveryForBuiltInKindsAndTheCrd() throws Exception {
    assertThat(get("/api")).contains("\"v1\"");
    assertThat(get("/api/v1")).contains("\"pods\"", "\"secrets\"", "\"configmaps\"");
    assertThat(get("/apis")).contains("slotwise.io/v1alpha1", "apps/v1", "policy/v1");
    assertThat(get("/apis/apps/v1")).contains("\"statefulsets\"");
    assertThat(get("/apis/slotwise.io/v1alpha1"))
        .contains("\"redisclusters\"", "\"rc\"", "\"redisc\"", "redisclusters/status");
  }

  @Test
  void admitsWhatTheSchemaRefusesAndAppliesNoDefaults() {
    GenericKubernetesResource created =
        clusters().resource(TestCrd.cluster("no-admission", Map.of("shards", -1))).create();
    assertThat(((Map<?, ?>) created.getAdditionalProperties().get("spec")).get("shards"))
        .isEqualTo(-1);
    GenericKubernetesResource empty =
        clusters().resource(TestCrd.cluster("no-defaults", Map.of())).create();
    assertThat(((Map<?, ?>) empty.getAdditionalProperties().get("spec")).containsKey("shards"))
        .isFalse();
  }

  @Test
  void statusSubresourceSeparatesSpecAndStatusAndSpecChangesBumpGeneration() {
    GenericKubernetesResource rc =
        clusters().resource(TestCrd.cluster("generations", Map.of("shards", 3))).create();
    assertThat(rc.getMetadata().getGeneration()).isEqualTo(1L);

    rc.getAdditionalProperties().put("status", Map.of("summary", "written by status"));
    GenericKubernetesResource afterStatus = clusters().resource(rc).updateStatus();
    assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(afterStatus.getAdditionalProperties().get("status"))
        .isEqualTo(Map.of("summary", "written by status"));

    afterStatus.getAdditionalProperties().put("status", Map.of("summary", "written by a main PUT"));
    afterStatus.getAdditionalProperties().put("spec", Map.of("shards", 4));
    GenericKubernetesResource afterSpec = clusters().resource(afterStatus).update();
    assertThat(afterSpec.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(afterSpec.getAdditionalProperties().get("status"))
        .as("a PUT of the main resource ignores status")
        .isEqualTo(Map.of("summary", "written by status"));

    afterSpec.getMetadata().setLabels(Map.of("only", "metadata"));
    assertThat(clusters().resource(afterSpec).update().getMetadata().getGeneration())
        .as("metadata changes do not bump the generation")
        .isEqualTo(2L);
  }

  @Test
  void refusesStaleUpdatesWithConflict() {
    GenericKubernetesResource rc =
        clusters().resource(TestCrd.cluster("stale", Map.of("shards", 3))).create();
    clusters()
        .resource(rc)
        .edit(
            r -> {
              r.getAdditionalProperties().put("spec", Map.of("shards", 5));
              return r;
            });
    rc.getAdditionalProperties().put("spec", Map.of("shards", 7));
    assertThatThrownBy(() -> clusters().resource(rc).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void refusesServerSideApplyAndStrategicMergePatches() {
    ConfigMap cm =
        client
            .configMaps()
            .inNamespace("default")
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("patched").endMetadata().build())
            .create();
    assertThatThrownBy(
            () ->
                client
                    .configMaps()
                    .inNamespace("default")
                    .withName("patched")
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"data\":{\"a\":\"b\"}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    cm.setData(Map.of("a", "b"));
    cm.getMetadata().setResourceVersion(null);
    assertThatThrownBy(
            () -> client.configMaps().inNamespace("default").resource(cm).serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    client
        .configMaps()
        .inNamespace("default")
        .withName("patched")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"merge\":\"ok\"}}");
    assertThat(client.configMaps().inNamespace("default").withName("patched").get().getData())
        .containsEntry("merge", "ok");
  }

  @Test
  void collectsNoGarbage() {
    GenericKubernetesResource rc =
        clusters().resource(TestCrd.cluster("owner", Map.of("shards", 3))).create();
    ConfigMap dependent =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("owned")
            .addNewOwnerReference()
            .withApiVersion("slotwise.io/v1alpha1")
            .withKind("RedisCluster")
            .withName("owner")
            .withUid(rc.getMetadata().getUid())
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    client.configMaps().inNamespace("default").resource(dependent).create();
    clusters().withName("owner").delete();
    assertThat(clusters().withName("owner").get()).isNull();
    assertThat(client.configMaps().inNamespace("default").withName("owned").get()).isNotNull();
  }

  @Test
  void keepsObjectsWithFinalizersUntilTheyAreRemoved() {
    GenericKubernetesResource rc = TestCrd.cluster("finalized", Map.of("shards", 3));
    rc.getMetadata().setFinalizers(List.of("slotwise.io/finalizer"));
    clusters().resource(rc).create();
    clusters().withName("finalized").delete();
    GenericKubernetesResource marked = clusters().withName("finalized").get();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
    marked.getMetadata().setFinalizers(List.of());
    clusters().resource(marked).update();
    assertThat(clusters().withName("finalized").get()).isNull();
  }

  @Test
  void ignoresSetBasedLabelSelectorsAndFieldSelectorsOtherThanNameAndNamespace() {
    for (String tier : List.of("a", "b")) {
      client
          .configMaps()
          .inNamespace("selectors")
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("cm-" + tier)
                  .withLabels(Map.of("tier", tier))
                  .endMetadata()
                  .build())
          .create();
    }
    var inSelectors = client.configMaps().inNamespace("selectors");
    assertThat(inSelectors.withLabel("tier", "a").list().getItems()).hasSize(1);
    assertThat(inSelectors.withLabelNotIn("tier", "a").list().getItems())
        .as("set-based requirement ignored: everything matches")
        .hasSize(2);
    assertThat(inSelectors.withLabelIn("tier", "a").list().getItems())
        .as("set-based requirement ignored: everything matches")
        .hasSize(2);
    assertThat(inSelectors.withField("metadata.name", "cm-b").list().getItems()).hasSize(1);
    assertThat(inSelectors.withField("status.phase", "Running").list().getItems())
        .as("other fields are not indexed: nothing matches")
        .isEmpty();
  }

  @Test
  void watchesDeliverEventsAndReplayEverythingOnConnect() {
    client
        .configMaps()
        .inNamespace("watched")
        .resource(new ConfigMapBuilder().withNewMetadata().withName("before").endMetadata().build())
        .create();
    String listVersion =
        client.configMaps().inNamespace("watched").list().getMetadata().getResourceVersion();
    List<String> events = new CopyOnWriteArrayList<>();
    Watcher<ConfigMap> recorder =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, ConfigMap resource) {
            events.add(action + " " + resource.getMetadata().getName());
          }

          @Override
          public void onClose(WatcherException cause) {}
        };
    try (Watch w =
        client
            .configMaps()
            .inNamespace("watched")
            .withResourceVersion(listVersion)
            .watch(recorder)) {
      client
          .configMaps()
          .inNamespace("watched")
          .resource(
              new ConfigMapBuilder().withNewMetadata().withName("after").endMetadata().build())
          .create();
      client.configMaps().inNamespace("watched").withName("after").delete();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .as("an object older than the watch's resourceVersion is replayed")
                      .containsExactly("ADDED before", "ADDED after", "DELETED after"));
    }
  }

  @Test
  void writesAKubeconfigOnlyItsOwnerCanRead(@TempDir Path dir) throws Exception {
    Path file = k8s.writeKubeconfig(dir.resolve("kubeconfig"));
    assertThat(Files.readString(file)).contains("server: " + k8s.kubectlUrl());
    assertThat(Files.getPosixFilePermissions(file))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
  }
}
