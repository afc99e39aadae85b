package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.RedisClusterStatus;
import io.slotwise.api.v1alpha1.Storage;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.operator.model.Labels;
import io.slotwise.operator.sim.PodSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bad input on a running, Ready 3x1 persistent cluster: each bad spec gives Ready=False with a
 * reason that says what to fix and a Warning Event, leaves the cluster untouched (same pods, node
 * ids, slot owners and keys), and reverting the spec makes it Ready again.
 *
 * <p>A real API server refuses most of these at admission (the CRD's schema and CEL rules, tested
 * in slotwise-api with a JSON-schema validator and dev.cel). The mock API server in CRUD mode
 * admits anything, so what is tested here is the reconciler's own check, the one that protects a
 * cluster whose CRD rules were bypassed or that admission cannot judge (a Secret that does not
 * exist, an image that never starts).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT extends EndToEndTest {
  private static final String NS = "bad";
  private static final String NAME = "shop";
  private static final int KEYS = 300;

  static Snapshot before;

  /** Read once: one test deletes the Secret for a while. */
  static String password;

  @BeforeAll
  static void start() {
    // A short pod-ready timeout, so that the never-ready image halts the roll soon.
    k8s = OperatorHarness.startWithConfig(dir, c -> c.withPodReadyTimeout(Duration.ofSeconds(15)));
    k8s.create(NS, NAME, spec -> spec.setStorage(new Storage("1Gi")));
    k8s.awaitReady(NS, NAME);
    password = k8s.password(NS, NAME);
    try (ClusterData data = new ClusterData(k8s.seed(NS, NAME), password)) {
      data.write("bad", KEYS, 16);
    }
    before = Snapshot.take();
  }

  @Test
  @Order(1)
  void zeroShards() {
    refused(
        s -> s.setShards(0),
        s -> s.setShards(3),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.shards is 0: set it to 1 or more");
  }

  @Test
  @Order(2)
  void fewerShardsThanAClusterNeeds() {
    // Admitted by the CRD (shards >= 1), refused by the engine, which forms no cluster of fewer
    // than 3 primaries: the reconciler says so instead of failing every reconcile silently.
    refused(
        s -> s.setShards(1),
        s -> s.setShards(3),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.shards is 1: Slotwise runs at least 3 shards");
  }

  @Test
  @Order(2)
  void negativeReplicas() {
    refused(
        s -> s.setReplicasPerShard(-1),
        s -> s.setReplicasPerShard(1),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.replicasPerShard is -1: set it to 0 or more");
  }

  @Test
  @Order(3)
  void aDirectiveSlotwiseOwns() {
    refused(
        s -> s.setConfig(new TreeMap<>(Map.of("port", "7000", "maxmemory-policy", "noeviction"))),
        s -> s.setConfig(null),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.config.port is refused: the Redis port is an operator setting; remove it");
  }

  @Test
  @Order(4)
  void aSecretThatDoesNotExist() {
    // auth.secretName is immutable (a CEL rule): pointing a running cluster at another Secret
    // would give the operator a password its nodes do not have.
    refused(
        s -> s.getAuth().setSecretName("no-such-secret"),
        s -> s.getAuth().setSecretName(null),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.auth.secretName cannot change (was unset): set it back to unset");
  }

  @Test
  @Order(5)
  void theGeneratedSecretDeletedIsNotReplacedByANewPassword() {
    var secret = k8s.client().secrets().inNamespace(NS).withName(NAME + "-auth").get();
    long generation = k8s.get(NS, NAME).getMetadata().getGeneration();
    k8s.client().resource(secret).delete();
    RedisCluster rc =
        k8s.awaitStatus(
            NS,
            NAME,
            "SecretMissing",
            r -> "SecretMissing".equals(OperatorHarness.reason(r, RedisClusterStatus.READY)));
    assertThat(rc.getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(OperatorHarness.condition(rc, RedisClusterStatus.READY, "False")).isTrue();
    assertThat(message(rc, RedisClusterStatus.READY))
        .contains("Secret " + NAME + "-auth does not exist", "restore the Secret");
    assertWarning("SecretMissing", "restore the Secret");
    assertThat(k8s.client().secrets().inNamespace(NS).withName(NAME + "-auth").get())
        .as("no new password generated for a running cluster")
        .isNull();
    before.assertUntouched();

    secret.getMetadata().setResourceVersion(null);
    secret.getMetadata().setUid(null);
    k8s.client().resource(secret).create();
    k8s.awaitReady(NS, NAME);
    assertThat(k8s.password(NS, NAME)).isEqualTo(password);
    before.assertUntouched();
  }

  @Test
  @Order(6)
  void aStorageShrink() {
    refused(
        s -> s.getStorage().setSize("512Mi"),
        s -> s.getStorage().setSize("1Gi"),
        RedisClusterStatus.READY,
        "InvalidSpec",
        "spec.storage.size 512Mi is smaller than 1Gi: a volume cannot shrink, set it to 1Gi or"
            + " more");
  }

  @Test
  @Order(7)
  void anImageThatNeverBecomesReadyHaltsTheRollAndRevertingResumesIt() {
    String image = k8s.get(NS, NAME).getSpec().getImage();
    k8s.edit(NS, NAME, s -> s.setImage("example.org/" + PodSimulator.NEVER_READY_IMAGE + ":1"));
    RedisCluster rc =
        k8s.awaitStatus(
            NS,
            NAME,
            "roll halted",
            r ->
                OperatorHarness.condition(r, RedisClusterStatus.DEGRADED, "True")
                    && "RollHalted".equals(OperatorHarness.reason(r, RedisClusterStatus.DEGRADED)));
    assertThat(OperatorHarness.condition(rc, RedisClusterStatus.READY, "False")).isTrue();
    assertThat(message(rc, RedisClusterStatus.DEGRADED))
        .contains("has not been Ready for 15 s", "the roll is halted", "revert");
    assertWarning("RollHalted", "the roll is halted");

    // One pod (a replica: replicas roll first) runs the bad image; every other is untouched.
    List<Pod> stuck =
        k8s.pods(NS, NAME).stream()
            .filter(
                p ->
                    p.getSpec().getContainers().get(0).getImage().contains("never-ready")
                        && !before.podUids.containsValue(p.getMetadata().getUid()))
            .toList();
    assertThat(stuck).hasSize(1);
    String stuckPod = stuck.get(0).getMetadata().getName();
    assertThat(before.primaries.keySet()).doesNotContain(stuckPod);
    before.assertUntouchedBut(stuckPod);

    k8s.edit(NS, NAME, s -> s.setImage(image));
    k8s.awaitReady(NS, NAME);
    // The stuck pod came back from the reverted template, with its volume: the same node.
    before.assertUntouchedBut(stuckPod);
    Snapshot after = Snapshot.take();
    assertThat(after.nodeIds).isEqualTo(before.nodeIds);
    assertThat(after.slotOwners).isEqualTo(before.slotOwners);
    before = after; // the one restarted pod has a new uid from now on
  }

  @Test
  @Order(8)
  void aNewClusterNamingASecretThatDoesNotExistWaitsForIt() {
    k8s.create(
        NS,
        "later",
        spec -> {
          spec.setReplicasPerShard(0);
          spec.getAuth().setSecretName("later-password");
        });
    RedisCluster rc =
        k8s.awaitStatus(
            NS,
            "later",
            "SecretMissing",
            r -> "SecretMissing".equals(OperatorHarness.reason(r, RedisClusterStatus.READY)));
    assertThat(OperatorHarness.condition(rc, RedisClusterStatus.READY, "False")).isTrue();
    assertThat(message(rc, RedisClusterStatus.READY))
        .contains("Secret later-password does not exist", "create it", "key 'password'");
    assertWarning("later", "SecretMissing", "Secret later-password does not exist");
    assertThat(
            k8s.client()
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withLabels(Labels.cluster("later"))
                .list()
                .getItems())
        .as("nothing created before the password exists")
        .isEmpty();
    before.assertUntouched();

    k8s.client()
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("later-password")
                .withNamespace(NS)
                .endMetadata()
                .addToData(
                    "password",
                    java.util.Base64.getEncoder()
                        .encodeToString(
                            "chosen-later".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build())
        .create();
    k8s.awaitReady(NS, "later");
    before.assertUntouched();
  }

  /**
   * Applies {@code bad}, waits for {@code type} False with {@code reason} for that generation,
   * checks the message, the Warning Event and that nothing changed, then applies {@code revert} and
   * waits for Ready.
   */
  private static void refused(
      Consumer<RedisClusterSpec> bad,
      Consumer<RedisClusterSpec> revert,
      String type,
      String reason,
      String fix) {
    long generation = k8s.edit(NS, NAME, bad).getMetadata().getGeneration();
    RedisCluster rc =
        k8s.awaitStatus(
            NS,
            NAME,
            reason + " for generation " + generation,
            r ->
                r.getStatus().getObservedGeneration() == generation
                    && OperatorHarness.condition(r, type, "False")
                    && reason.equals(OperatorHarness.reason(r, type)));
    assertThat(message(rc, type)).contains(fix);
    assertThat(rc.getStatus().getSummary()).isEqualTo(reason);
    assertWarning(reason, fix);
    before.assertUntouched();

    k8s.edit(NS, NAME, revert);
    k8s.awaitReady(NS, NAME);
    before.assertUntouched();
  }

  private static String message(RedisCluster rc, String type) {
    return rc.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getMessage())
        .findFirst()
        .orElse("");
  }

  private static void assertWarning(String reason, String text) {
    assertWarning(NAME, reason, text);
  }

  private static void assertWarning(String name, String reason, String text) {
    List<Event> events = k8s.client().v1().events().inNamespace(NS).list().getItems();
    assertThat(events)
        .as("a Warning Event %s saying %s", reason, text)
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo(reason);
              assertThat(e.getMessage()).contains(text);
              assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
            });
  }

  /** What bad input must leave alone: pods, templates, node ids, slot owners, keys. */
  record Snapshot(
      Map<String, String> podUids,
      Map<String, String> templateRevisions,
      Map<String, String> nodeIds,
      Map<String, String> primaries,
      Map<Integer, String> slotOwners) {

    static Snapshot take() {
      Map<String, String> uids = new TreeMap<>();
      Map<String, String> ids = new TreeMap<>();
      Map<String, String> primaries = new TreeMap<>();
      Map<Integer, String> owners = new TreeMap<>();
      for (Pod p : k8s.pods(NS, NAME)) {
        uids.put(p.getMetadata().getName(), p.getMetadata().getUid());
        RedisClient client =
            RedisClient.create(
                RedisURI.builder()
                    .withHost(p.getStatus().getPodIP())
                    .withPort(k8s.simulation().redisPort())
                    .withPassword(password.toCharArray())
                    .withTimeout(Duration.ofSeconds(10))
                    .build());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          String id = c.sync().clusterMyId();
          ids.put(p.getMetadata().getName(), id);
          for (String line : c.sync().clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8 || !f[0].equals(id) || !f[2].contains("master")) {
              continue;
            }
            primaries.put(p.getMetadata().getName(), id);
            for (int i = 8; i < f.length; i++) {
              String[] range = f[i].split("-");
              int from = Integer.parseInt(range[0]);
              int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
              for (int slot = from; slot <= to; slot++) {
                owners.put(slot, id);
              }
            }
          }
        } finally {
          client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
      }
      Map<String, String> revisions = new TreeMap<>();
      for (StatefulSet sts :
          k8s.client()
              .apps()
              .statefulSets()
              .inNamespace(NS)
              .withLabels(Labels.cluster(NAME))
              .list()
              .getItems()) {
        revisions.put(
            sts.getMetadata().getName(),
            sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.REVISION));
      }
      return new Snapshot(uids, revisions, ids, primaries, owners);
    }

    void assertUntouched() {
      Snapshot now = take();
      assertThat(now.podUids).as("pods and their uids").isEqualTo(podUids);
      assertThat(now.templateRevisions).as("StatefulSet templates").isEqualTo(templateRevisions);
      assertSameCluster(now);
    }

    /** As {@link #assertUntouched()} for every pod but {@code pod} (of a halted roll). */
    void assertUntouchedBut(String pod) {
      Map<String, String> uids = new TreeMap<>(podUids);
      uids.remove(pod);
      Map<String, String> nowUids = new TreeMap<>();
      for (Pod p : k8s.pods(NS, NAME)) {
        if (!p.getMetadata().getName().equals(pod)) {
          nowUids.put(p.getMetadata().getName(), p.getMetadata().getUid());
        }
      }
      assertThat(nowUids).as("pods other than %s and their uids", pod).isEqualTo(uids);
      try (ClusterData data = new ClusterData(k8s.seed(NS, NAME), password)) {
        assertThat(data.missing("bad", KEYS, 16)).as("keys not read back").isEmpty();
      }
    }

    private void assertSameCluster(Snapshot now) {
      assertThat(now.nodeIds).as("node id of each pod").isEqualTo(nodeIds);
      assertThat(now.primaries).as("primaries").isEqualTo(primaries);
      assertThat(now.slotOwners).as("owner of each slot").hasSize(16384).isEqualTo(slotOwners);
      try (ClusterData data = new ClusterData(k8s.seed(NS, NAME), password)) {
        assertThat(data.missing("bad", KEYS, 16)).as("keys not read back").isEmpty();
      }
    }
  }
}
