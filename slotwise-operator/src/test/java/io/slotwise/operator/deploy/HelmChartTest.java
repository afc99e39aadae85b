package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, rendered by the real helm for every values file under charts/slotwise/ci/ and
 * parsed into fabric8 types: the operator Deployment, its ServiceAccount and its RBAC in each watch
 * mode.
 */
class HelmChartTest {
  private static final String NS = Helm.NAMESPACE;

  private static final Set<String> KINDS =
      Set.of(
          "Namespace",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "Deployment");

  /** A literal env value or argument under such a name would put a secret in the pod spec. */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(pass(word)?|secret|token|credential|auth|api[-_]?key).*");

  static Stream<String> ciValuesFiles() throws IOException {
    try (Stream<Path> files = Files.list(RepositoryFiles.chart().resolve("ci"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .collect(Collectors.toList())
          .stream();
    }
  }

  private static RenderedManifests render(String valuesFile, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("-f");
    args.add(RepositoryFiles.ciValues(valuesFile).toString());
    args.addAll(Arrays.asList(extra));
    return RenderedManifests.parse(Helm.template(NS, args.toArray(String[]::new)));
  }

  @Test
  void theCiFolderHoldsTheFiveValuesFilesTheTestsNameBelow() throws IOException {
    assertThat(ciValuesFiles())
        .containsExactly(
            "all-namespaces-values.yaml",
            "custom-image-values.yaml",
            "default-values.yaml",
            "leader-election-off-values.yaml",
            "namespaced-list-values.yaml");
  }

  @Test
  void helmLintIsCleanWithTheDefaults() {
    Helm.Result lint = Helm.run(List.of("lint", "--strict", RepositoryFiles.chart().toString()));
    assertThat(lint.ok()).as(lint.stdout() + lint.stderr()).isTrue();
    assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void helmLintIsCleanWith(String valuesFile) {
    Helm.Result lint =
        Helm.run(
            List.of(
                "lint",
                "--strict",
                RepositoryFiles.chart().toString(),
                "-f",
                RepositoryFiles.ciValues(valuesFile).toString()));
    assertThat(lint.ok()).as(lint.stdout() + lint.stderr()).isTrue();
  }

  /** What must hold whatever the values: checked for every ci values file. */
  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void everyRenderingIsASafeOperatorDeploymentWithItsOwnServiceAccountAndRbac(String valuesFile) {
    RenderedManifests rendered = render(valuesFile);
    assertThat(rendered.all()).extracting(HasMetadata::getKind).allMatch(KINDS::contains);

    Deployment deployment = rendered.deployment();
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NS);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).hasSize(1);
    Container operator = pod.getContainers().get(0);
    List<String> args = operator.getArgs();

    // args: the operator verb, one watch mode, the probe and metrics ports of the container.
    assertThat(args.get(0)).isEqualTo("operator");
    assertThat(operator.getCommand()).isEmpty();
    long watchModes =
        args.stream()
            .filter(a -> a.equals("--all-namespaces") || a.startsWith("--namespaces="))
            .count();
    assertThat(watchModes).as("one watch mode in %s", args).isEqualTo(1);
    int healthPort = port(operator, "health");
    int metricsPort = port(operator, "metrics");
    assertThat(args).contains("--health-port=" + healthPort, "--metrics-port=" + metricsPort);
    assertThat(healthPort).isNotEqualTo(metricsPort);
    assertHttpProbe(operator.getLivenessProbe(), "/healthz");
    assertHttpProbe(operator.getReadinessProbe(), "/readyz");

    // Non-root, read-only root filesystem, no escalation, no capabilities; /tmp the only writable
    // path.
    PodSecurityContext podSecurity = pod.getSecurityContext();
    SecurityContext security = operator.getSecurityContext();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isNotNull().isNotZero();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isEmpty();
    assertThat(operator.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    Volume tmp = pod.getVolumes().get(0);
    assertThat(tmp.getEmptyDir()).isNotNull();
    assertThat(operator.getResources().getLimits()).containsKey("memory");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");

    // No secret as a literal: no argument or literal env value under a secret's name.
    for (String arg : args) {
      assertThat(
              arg.contains("=")
                  && SECRET_NAME.matcher(arg.substring(0, arg.indexOf('='))).matches())
          .as("argument %s looks like a secret", arg)
          .isFalse();
    }
    for (EnvVar env : operator.getEnv()) {
      if (env.getValue() != null) {
        assertThat(SECRET_NAME.matcher(env.getName()).matches())
            .as("env %s has a literal value", env.getName())
            .isFalse();
      } else {
        assertThat(env.getValueFrom()).as("env %s", env.getName()).isNotNull();
      }
    }

    // The pod runs as the rendered ServiceAccount and every binding grants to it.
    String account = pod.getServiceAccountName();
    assertThat(rendered.ofType(ServiceAccount.class))
        .singleElement()
        .satisfies(
            sa -> {
              assertThat(sa.getMetadata().getName()).isEqualTo(account);
              assertThat(sa.getMetadata().getNamespace()).isEqualTo(NS);
            });
    List<Subject> subjects = new ArrayList<>();
    rendered.ofType(RoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    rendered.ofType(ClusterRoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    assertThat(subjects).isNotEmpty();
    assertThat(subjects)
        .allSatisfy(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(account);
              assertThat(s.getNamespace()).isEqualTo(NS);
            });
    assertBindingsReferToRenderedRoles(rendered);

    // RBAC per watch mode: all namespaces -> ClusterRole; a list -> a Role per namespace.
    Optional<String> namespaces =
        args.stream().filter(a -> a.startsWith("--namespaces=")).findFirst();
    List<Role> workRoles =
        rendered.ofType(Role.class).stream()
            .filter(r -> !r.getMetadata().getName().endsWith("-leader-election"))
            .collect(Collectors.toList());
    if (namespaces.isEmpty()) {
      assertThat(rendered.ofType(ClusterRole.class)).hasSize(1);
      assertThat(rendered.ofType(ClusterRoleBinding.class)).hasSize(1);
      assertThat(workRoles).isEmpty();
    } else {
      List<String> watched =
          List.of(namespaces.get().substring("--namespaces=".length()).split(","));
      assertThat(rendered.ofType(ClusterRole.class)).isEmpty();
      assertThat(rendered.ofType(ClusterRoleBinding.class)).isEmpty();
      assertThat(workRoles)
          .extracting(r -> r.getMetadata().getNamespace())
          .containsExactlyInAnyOrderElementsOf(watched);
    }

    // The Lease permission exists exactly when leader election is on, and only in NS.
    boolean leaderElection = args.contains("--leader-election");
    assertThat(args.contains("--no-leader-election")).isNotEqualTo(leaderElection);
    List<String> leaseHolders = rolesGrantingLeases(rendered);
    if (leaderElection) {
      assertThat(leaseHolders).containsExactly("Role " + NS + "/slotwise-leader-election");
      assertThat(args).contains("--leader-election-namespace=" + NS);
      assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    } else {
      assertThat(leaseHolders).isEmpty();
      assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
      assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }
    assertThat(deployment.getSpec().getReplicas()).isBetween(1, 2);
  }

  @Test
  void theDefaultsWatchEveryNamespaceWithOneLeaderElectedOperator() {
    RenderedManifests rendered = render("default-values.yaml");
    Deployment deployment = rendered.deployment();
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getArgs())
        .containsExactly(
            "operator",
            "--all-namespaces",
            "--leader-election",
            "--leader-election-namespace=" + NS,
            "--leader-election-lease=slotwise-operator-leader",
            "--health-port=8081",
            "--metrics-port=8080");
    assertThat(operator.getImage()).isEqualTo("slotwise/slotwise:0.1.0");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(port(operator, "metrics")).isEqualTo(8080);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/metrics");
    assertThat(rendered.names())
        .containsExactly(
            "ServiceAccount " + NS + "/slotwise",
            "ClusterRole slotwise",
            "ClusterRoleBinding slotwise",
            "Role " + NS + "/slotwise-leader-election",
            "RoleBinding " + NS + "/slotwise-leader-election",
            "Deployment " + NS + "/slotwise");
    assertThat(rendered.ofType(Namespace.class)).isEmpty();
  }

  @Test
  void allNamespacesWithAStandbyIsAClusterRoleAndTwoReplicasThatRollOneAtATime() {
    RenderedManifests rendered = render("all-namespaces-values.yaml");
    Deployment deployment = rendered.deployment();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    ClusterRoleBinding binding = rendered.single(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName())
        .isEqualTo(rendered.single(ClusterRole.class).getMetadata().getName());
  }

  @Test
  void aNamespaceListIsARoleAndARoleBindingInEachAndNothingClusterWide() {
    RenderedManifests rendered = render("namespaced-list-values.yaml");
    assertThat(rendered.names())
        .contains(
            "Role team-a/slotwise",
            "Role team-b/slotwise",
            "RoleBinding team-a/slotwise",
            "RoleBinding team-b/slotwise")
        .noneMatch(n -> n.startsWith("Cluster"));
    assertThat(
            rendered
                .deployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .contains("--namespaces=team-a,team-b")
        .doesNotContain("--all-namespaces");
    for (RoleBinding binding : rendered.ofType(RoleBinding.class)) {
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    }
  }

  @Test
  void withoutLeaderElectionThereIsNoLeasePermissionAndTheOldPodGoesFirst() {
    RenderedManifests rendered = render("leader-election-off-values.yaml");
    assertThat(rolesGrantingLeases(rendered)).isEmpty();
    assertThat(rendered.names()).noneMatch(n -> n.contains("leader-election"));
    Deployment deployment = rendered.deployment();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--no-leader-election")
        .noneMatch(a -> a.startsWith("--leader-election"));
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
  }

  @Test
  void aCustomImageComesWithItsPullPolicyPullSecretAccountAndExtraSettings() {
    RenderedManifests rendered = render("custom-image-values.yaml");
    PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
    Container operator = pod.getContainers().get(0);
    assertThat(operator.getImage()).isEqualTo("registry.example.com/platform/slotwise:0.1.0-rc1");
    assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
    assertThat(pod.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("regcred");
    assertThat(pod.getServiceAccountName()).isEqualTo("slotwise-custom");
    assertThat(rendered.single(ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("example.com/role", "operator");
    assertThat(operator.getArgs()).endsWith("--redis-port=6380");
    assertThat(operator.getEnv())
        .filteredOn(e -> e.getName().equals("SLOTWISE_EXTRA"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("slotwise-extra"));
  }

  @Test
  void settingsThatCannotWorkAreRefusedWithAMessageThatSaysWhy() {
    assertRefused(
        "needs leaderElection.enabled",
        "--set",
        "replicaCount=2",
        "--set",
        "leaderElection.enabled=false");
    assertRefused("/replicaCount", "--set", "replicaCount=3");
    assertRefused("/replicaCount", "--set", "replicaCount=0");
    assertRefused("is not a namespace name", "--set", "watchNamespaces={Team_A}");
    assertRefused(
        "serviceAccount.name must name an existing ServiceAccount",
        "--set",
        "serviceAccount.create=false");
  }

  private static void assertRefused(String because, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("template", "x", RepositoryFiles.chart().toString()));
    args.addAll(List.of(extra));
    Helm.Result result = Helm.run(args);
    assertThat(result.ok()).as("helm %s should fail", args).isFalse();
    assertThat(result.stderr()).contains(because);
  }

  private static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no port named " + name));
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("health");
  }

  private static void assertBindingsReferToRenderedRoles(RenderedManifests rendered) {
    for (RoleBinding binding : rendered.ofType(RoleBinding.class)) {
      RoleRef ref = binding.getRoleRef();
      assertThat(ref.getKind()).isEqualTo("Role");
      assertThat(rendered.ofType(Role.class))
          .anyMatch(
              r ->
                  r.getMetadata().getName().equals(ref.getName())
                      && r.getMetadata()
                          .getNamespace()
                          .equals(binding.getMetadata().getNamespace()));
    }
    for (ClusterRoleBinding binding : rendered.ofType(ClusterRoleBinding.class)) {
      assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
      assertThat(rendered.ofType(ClusterRole.class))
          .anyMatch(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName()));
    }
  }

  /** "Role ns/name" or "ClusterRole name" of every role with a rule on leases. */
  static List<String> rolesGrantingLeases(RenderedManifests rendered) {
    List<String> holders = new ArrayList<>();
    for (Role role : rendered.ofType(Role.class)) {
      if (grantsLeases(role.getRules())) {
        holders.add(
            "Role " + role.getMetadata().getNamespace() + "/" + role.getMetadata().getName());
      }
    }
    for (ClusterRole role : rendered.ofType(ClusterRole.class)) {
      if (grantsLeases(role.getRules())) {
        holders.add("ClusterRole " + role.getMetadata().getName());
      }
    }
    return holders;
  }

  private static boolean grantsLeases(List<PolicyRule> rules) {
    return RenderedManifests.ruleLines(rules).stream().anyMatch(l -> l.contains(" leases "));
  }
}
