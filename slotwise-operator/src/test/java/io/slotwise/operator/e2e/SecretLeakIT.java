package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slotwise.api.v1alpha1.Exporter;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.engine.testing.ClusterData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password of a running, Ready cluster (a generated Secret, and a Secret the user named) is in
 * no log line of the test, no Event, no RedisCluster status, no container argument, command or
 * environment value (a {@code secretKeyRef} is the way in), and no ConfigMap; nor is its base64
 * form anywhere but in its Secret.
 *
 * <p>The operator tests log through slf4j-simple, which writes each line to whatever {@code
 * System.err} is at that moment; the test tees System.err and System.out from before the operator
 * starts until after it stopped, so every line of the operator, the simulator and the tests is
 * seen. (slf4j-simple logs at INFO here; DEBUG lines are not covered.)
 */
class SecretLeakIT {
  private static final String NS = "leak";
  private static final String USER_PASSWORD = "Us3r-Chosen-Pa55word-" + System.nanoTime();

  @TempDir static Path dir;
  static OperatorHarness k8s;
  static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
  static PrintStream err;
  static PrintStream out;

  @BeforeAll
  static void start() {
    err = System.err;
    out = System.out;
    System.setErr(tee(err));
    System.setOut(tee(out));
    k8s = OperatorHarness.start(dir);
  }

  @AfterAll
  static void stop() {
    try {
      if (k8s != null) {
        k8s.close();
      }
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
  }

  private static PrintStream tee(PrintStream original) {
    OutputStream both =
        new OutputStream() {
          @Override
          public void write(int b) {
            original.write(b);
            synchronized (LOG) {
              LOG.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            synchronized (LOG) {
              LOG.write(b, off, len);
            }
          }

          @Override
          public void flush() {
            original.flush();
          }
        };
    return new PrintStream(both, true, StandardCharsets.UTF_8);
  }

  @Test
  void aGeneratedPasswordIsNowhereButInItsSecret() {
    k8s.create(NS, "gen", spec -> spec.setConfig(Map.of("maxmemory-policy", "allkeys-lru")));
    k8s.awaitReady(NS, "gen");
    String password = k8s.password(NS, "gen");
    assertThat(password).hasSizeGreaterThanOrEqualTo(16);
    use("gen", password);
    // A live config change and a reconcile after it, so that more of the operator has logged.
    long generation =
        k8s.edit(NS, "gen", s -> s.setConfig(Map.of("maxmemory-policy", "noeviction")))
            .getMetadata()
            .getGeneration();
    k8s.awaitStatus(
        NS,
        "gen",
        "Ready for generation " + generation,
        r -> r.getMetadata().getGeneration() == generation && OperatorHarness.readyNow(r));
    assertNowhere(password);
  }

  @Test
  void aPasswordInAUserNamedSecretIsNowhereButInThatSecret() {
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cache-password")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("password", USER_PASSWORD)
                .build())
        .create();
    k8s.create(
        NS,
        "named",
        spec -> {
          spec.setReplicasPerShard(0);
          spec.getAuth().setSecretName("cache-password");
          Exporter exporter = new Exporter();
          exporter.setEnabled(true);
          spec.setExporter(exporter);
        });
    k8s.awaitReady(NS, "named");
    use("named", USER_PASSWORD);
    assertNowhere(USER_PASSWORD);
  }

  /** Writes and reads with the password, proving it is the one the nodes require. */
  private static void use(String name, String password) {
    try (ClusterData data = new ClusterData(k8s.seed(NS, name), password)) {
      data.write("leak", 50, 8);
      assertThat(data.missing("leak", 50, 8)).isEmpty();
    }
  }

  private static void assertNowhere(String password) {
    String base64 = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
    List<String> leaks = new ArrayList<>();

    String log;
    synchronized (LOG) {
      log = LOG.toString(StandardCharsets.UTF_8);
    }
    assertThat(log).as("log captured").contains("RedisCluster(" + NS + "/");
    log.lines()
        .filter(l -> l.contains(password) || l.contains(base64))
        .forEach(l -> leaks.add("log line: " + l));

    var client = k8s.client();
    Map<String, HasMetadata> objects = new TreeMap<>();
    client.v1().events().inAnyNamespace().list().getItems().forEach(e -> put(objects, e));
    client.configMaps().inAnyNamespace().list().getItems().forEach(c -> put(objects, c));
    client.pods().inAnyNamespace().list().getItems().forEach(p -> put(objects, p));
    client.apps().statefulSets().inAnyNamespace().list().getItems().forEach(s -> put(objects, s));
    client.services().inAnyNamespace().list().getItems().forEach(s -> put(objects, s));
    client.resources(RedisCluster.class).inAnyNamespace().list().getItems().stream()
        .peek(rc -> assertThat(rc.getStatus()).as("status of " + rc).isNotNull())
        .forEach(rc -> put(objects, rc));
    assertThat(objects.keySet())
        .anyMatch(k -> k.startsWith("Event/"))
        .anyMatch(k -> k.startsWith("ConfigMap/"))
        .anyMatch(k -> k.startsWith("Pod/"));
    objects.forEach(
        (what, o) -> {
          String json = Serialization.asJson(o);
          if (json.contains(password) || json.contains(base64)) {
            leaks.add(what + ": " + json);
          }
        });

    // Every container's arguments, command and environment values, spelled out.
    List<PodSpec> specs = new ArrayList<>();
    client.pods().inNamespace(NS).list().getItems().stream().map(Pod::getSpec).forEach(specs::add);
    client.apps().statefulSets().inNamespace(NS).list().getItems().stream()
        .map(StatefulSet::getSpec)
        .map(s -> s.getTemplate().getSpec())
        .forEach(specs::add);
    int passwordEnv = 0;
    for (PodSpec spec : specs) {
      for (Container c :
          Stream.concat(
                  spec.getContainers().stream(),
                  spec.getInitContainers() == null
                      ? Stream.empty()
                      : spec.getInitContainers().stream())
              .toList()) {
        List<String> texts = new ArrayList<>();
        if (c.getArgs() != null) {
          texts.addAll(c.getArgs());
        }
        if (c.getCommand() != null) {
          texts.addAll(c.getCommand());
        }
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
          if (e.getValue() != null) {
            texts.add(e.getValue());
          }
          if (e.getName().toUpperCase(java.util.Locale.ROOT).contains("PASSWORD")) {
            passwordEnv++;
            assertThat(e.getValue()).as("env " + e.getName() + " of " + c.getName()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef()).isNotNull();
          }
        }
        texts.stream()
            .filter(t -> t.contains(password) || t.contains(base64))
            .forEach(t -> leaks.add("container " + c.getName() + ": " + t));
      }
    }
    if (password.equals(USER_PASSWORD)) {
      assertThat(passwordEnv).as("the exporter's REDIS_PASSWORD, from the Secret").isPositive();
    }
    assertThat(leaks).as("places where the password shows").isEmpty();
  }

  private static void put(Map<String, HasMetadata> objects, HasMetadata o) {
    objects.put(
        o.getKind()
            + "/"
            + o.getMetadata().getNamespace()
            + "/"
            + o.getMetadata().getName()
            + "#"
            + objects.size(),
        o);
  }
}
