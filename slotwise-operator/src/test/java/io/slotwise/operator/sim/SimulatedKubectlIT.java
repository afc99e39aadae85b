package io.slotwise.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slotwise.engine.testing.Leftovers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotwise operator --simulate} (as {@link SimulatedOperator}) driven by the real kubectl
 * through the kubeconfig it writes: plain {@code apply} of the minimal example, {@code get} with
 * the CRD's printer columns, {@code -o json}, {@code get -w}, {@code get pods}, {@code describe},
 * {@code logs}, and the one-line refusal of {@code exec}. It checks the kubectl and API path, not
 * that the cluster becomes Ready (the reconciler's tests do). Skipped when SLOTWISE_KUBECTL is not
 * set (CI sets it; ./slotwise test installs kubectl).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimulatedKubectlIT {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path kubectl;
  private static SimulatedOperator sim;

  private static final String SKIPPED =
      "SLOTWISE_KUBECTL is not set: the kubectl tests of --simulate are skipped"
          + " (CI sets it; ./slotwise test installs kubectl 1.35 and sets it)";

  @BeforeAll
  static void start() {
    String k = System.getenv("SLOTWISE_KUBECTL");
    if (k == null || k.isBlank()) {
      return; // each test is skipped, saying why
    }
    kubectl = Path.of(k);
    assertThat(kubectl).as("SLOTWISE_KUBECTL").isExecutable();
    sim = SimulatedOperator.start(dir.resolve("sim"));
  }

  @BeforeEach
  void needsKubectl() {
    Assumptions.assumeTrue(kubectl != null, SKIPPED);
  }

  @AfterAll
  static void stop() {
    if (sim == null) {
      return;
    }
    try {
      List<Long> pids = new ArrayList<>(sim.simulation().pods().runningPids());
      sim.close();
      assertThat(pids)
          .as("every redis-server of the simulation is stopped by close()")
          .allSatisfy(
              pid ->
                  assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                      .isNotEqualTo(java.util.Optional.of(true)));
      assertThat(Leftovers.under(dir)).as("processes left behind").isEmpty();
    } finally {
      Leftovers.kill(dir);
    }
  }

  record Run(int exit, String out, String err) {}

  private static Run kubectl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(kubectl.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KUBECONFIG", sim.kubeconfig().toString());
    // kubectl's discovery and OpenAPI cache, per test run
    pb.environment().put("HOME", dir.toString());
    Path out = Files.createTempFile(dir, "kubectl", ".out");
    Path err = Files.createTempFile(dir, "kubectl", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Path example(String name) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path f = d.resolve("examples").resolve(name);
      if (Files.isRegularFile(f)) {
        return f;
      }
    }
    throw new AssertionError(
        "examples/" + name + " not found from " + Path.of("").toAbsolutePath());
  }

  @Test
  @Order(1)
  void plainApplyCreatesTheResourceWithItsDefaults() throws Exception {
    Run apply = kubectl("apply", "-f", example("minimal.yaml").toString());
    assertThat(apply.exit()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("rediscluster.slotwise.io/minimal created");

    Run get = kubectl("get", "rc", "minimal", "-o", "json");
    assertThat(get.exit()).as(get.err()).isZero();
    JsonNode rc = JSON.readTree(get.out());
    assertThat(rc.path("apiVersion").asText()).isEqualTo("slotwise.io/v1alpha1");
    assertThat(rc.path("kind").asText()).isEqualTo("RedisCluster");
    assertThat(rc.path("metadata").path("name").asText()).isEqualTo("minimal");
    assertThat(rc.path("metadata").path("namespace").asText()).isEqualTo("default");
    // the CRD's schema defaults, filled in as an API server would
    assertThat(rc.path("spec").path("shards").asInt()).isEqualTo(3);
    assertThat(rc.path("spec").path("replicasPerShard").asInt()).isEqualTo(1);

    Run again = kubectl("apply", "-f", example("minimal.yaml").toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("rediscluster.slotwise.io/minimal");
  }

  @Test
  @Order(2)
  void getShowsThePrinterColumns() throws Exception {
    Run get = kubectl("get", "rc");
    assertThat(get.exit()).as(get.err()).isZero();
    List<String> lines = get.out().lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly("NAME", "AGE", "SHARDS", "READY", "OPERATION", "STATUS");
    assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith("minimal"));
    assertThat(lines.get(1).split("\\s+")[2]).isEqualTo("3");
  }

  @Test
  @Order(3)
  void watchStreamsChanges() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "get", "rc", "-w");
    pb.environment().put("KUBECONFIG", sim.kubeconfig().toString());
    pb.environment().put("HOME", dir.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException ignored) {
                // the process was stopped
              }
            },
            "kubectl-watch-reader");
    reader.start();
    try {
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(rows(lines)).as(String.join("\n", lines)).isNotEmpty());
      int before = rows(lines).size();
      sim.simulation()
          .client()
          .genericKubernetesResources("slotwise.io/v1alpha1", "RedisCluster")
          .inNamespace("default")
          .withName("minimal")
          .edit(
              r -> {
                r.getMetadata().setAnnotations(Map.of("watched", "yes"));
                return r;
              });
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(rows(lines))
                      .as("a change is streamed to the running watch:\n" + String.join("\n", lines))
                      .hasSizeGreaterThan(before));
      assertThat(p.isAlive()).as("the watch keeps running").isTrue();
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  private static List<String> rows(List<String> lines) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.startsWith("minimal ")).toList();
    }
  }

  @Test
  @Order(4)
  void podsDescribeAndTheSecretAreThere() throws Exception {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Run pods = kubectl("get", "pods", "-o", "wide");
              assertThat(pods.exit()).as(pods.err()).isZero();
              assertThat(pods.out().lines().findFirst().orElse(""))
                  .contains("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP");
              assertThat(pods.out()).contains("minimal-0-0");
            });
    Run describe = kubectl("describe", "rc", "minimal");
    assertThat(describe.exit()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("Name:", "minimal", "Kind:", "RedisCluster", "Events:");
    // the operator's Events are found by describe's field selector (involvedObject.*)
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> assertThat(kubectl("describe", "rc", "minimal").out()).contains("SecretCreated"));
    Run secret = kubectl("get", "secret", "minimal-auth", "-o", "jsonpath={.data.password}");
    assertThat(secret.exit()).as(secret.err()).isZero();
    assertThat(secret.out()).isNotBlank();
  }

  @Test
  @Order(5)
  void aNewcomerWaitsForReadyAndConnectsWithRedisCli() throws Exception {
    Run wait =
        kubectl(
            "wait", "--for=condition=Ready", "rc/minimal", "--timeout=" + WAIT.toSeconds() + "s");
    assertThat(wait.exit()).as(wait.out() + wait.err()).isZero();
    String ip = kubectl("get", "pod", "minimal-0-0", "-o", "jsonpath={.status.podIP}").out().trim();
    String password =
        new String(
            java.util.Base64.getDecoder()
                .decode(
                    kubectl("get", "secret", "minimal-auth", "-o", "jsonpath={.data.password}")
                        .out()
                        .trim()),
            java.nio.charset.StandardCharsets.UTF_8);
    String cli =
        io.slotwise.engine.local.RedisServerBinary.require(null).replaceAll("server$", "cli");
    Assumptions.assumeTrue(Files.isExecutable(Path.of(cli)), "no " + cli + " next to the server");
    ProcessBuilder pb =
        new ProcessBuilder(
            cli,
            "-c",
            "-h",
            ip,
            "-p",
            Integer.toString(sim.simulation().redisPort()),
            "set",
            "newcomer",
            "hello");
    pb.environment().put("REDISCLI_AUTH", password);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes()).trim()).isEqualTo("OK");
  }
}
