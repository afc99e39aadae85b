package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.ScaleDownPolicy;
import io.slotwise.api.v1alpha1.Storage;
import io.slotwise.operator.deploy.RbacRulesFile;
import io.slotwise.operator.model.Labels;
import io.slotwise.operator.sim.ApiCall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege by evidence: the permissions deploy/rbac-rules.txt grants (and with it the
 * chart's ClusterRole and leader-election Role, which RbacRulesTest holds equal to that file) are
 * exactly the API calls the operator makes, as the simulated API server recorded them by the
 * operator's User-Agent (the pod simulator's and the tests' own calls do not count).
 *
 * <p>The calls are those of this class's scenario (leader election, a persistent cluster created,
 * rolled, scaled in with scaleDownPolicy Delete, deleted) and of every end-to-end test that ran
 * before it in the same JVM (it is ordered last). A granted permission that no test used fails the
 * test unless {@link #NOT_RECORDED} explains why no API call shows it.
 */
@Order(Integer.MAX_VALUE)
class RbacEvidenceIT {
  /**
   * Permissions granted though no recorded call uses them, each with the reason. Keep it short: an
   * entry is a permission the tests cannot show is needed.
   */
  static final Map<String, String> NOT_RECORDED =
      Map.of(
          "slotwise.io redisclusters/finalizers update",
          "owner references with blockOwnerDeletion: true (every object the operator creates)"
              + " need it on a real API server (OwnerReferencesPermissionEnforcement); it is an"
              + " admission check, not a request",
          "core services update",
          "createOrUpdate rewrites a Service whose spec, labels or owner differ from the model:"
              + " after an operator upgrade changed the model; no test changes it mid-run",
          "apps statefulsets/scale get",
          "a shard gains or loses a replica (KubernetesNodeProvider scales its StatefulSet):"
              + " recorded by ScalingIT when it runs first, not by this class's own scenario",
          "apps statefulsets/scale update",
          "as statefulsets/scale get",
          "policy poddisruptionbudgets update",
          "createOrUpdate rewrites a PodDisruptionBudget that differs from the model, as for"
              + " Services");

  /**
   * Calls every authenticated user may make (the built-in system:basic-user role), which no Role of
   * ours grants: JOSDK's SelfSubjectRulesReview before leader election.
   */
  static final Set<String> GRANTED_TO_EVERYONE =
      Set.of("authorization.k8s.io selfsubjectrulesreviews create");

  /**
   * Before it campaigns, JOSDK (LeaderElectionManager) checks with a SelfSubjectRulesReview that it
   * may get, create and update Leases, and refuses to start otherwise: a use no request shows,
   * since the simulated API server answers that review with "everything".
   */
  static final Set<String> LEADER_ELECTION_CHECKED =
      Set.of(
          "coordination.k8s.io leases get",
          "coordination.k8s.io leases create",
          "coordination.k8s.io leases update");

  private static final String NS = "rbac";
  private static final String NAME = "evidence";

  @TempDir Path dir;

  @Test
  void theGrantedPermissionsAreExactlyThoseTheOperatorUses() {
    Set<ApiCall> calls = new java.util.HashSet<>(OperatorApiCalls.all());
    try (OperatorHarness k8s =
        OperatorHarness.startWithConfig(dir, c -> c.withPodReadyTimeout(Duration.ofSeconds(30)))) {
      k8s.stopOperator();
      k8s.startOperatorWithLeaderElection("slotwise-system", "slotwise-leader");
      scenario(k8s);
      calls.addAll(k8s.operatorCalls());
      k8s.stopOperator();
      calls.addAll(k8s.operatorCalls());
    }

    Map<String, TreeSet<String>> used = new TreeMap<>();
    used.computeIfAbsent(RbacRulesFile.LEADER_ELECTION, s -> new TreeSet<>())
        .addAll(LEADER_ELECTION_CHECKED);
    for (ApiCall c : calls) {
      if (GRANTED_TO_EVERYONE.contains(RbacRulesFile.line(c.apiGroup(), c.resource(), c.verb()))) {
        continue;
      }
      String section =
          c.apiGroup().equals("coordination.k8s.io")
              ? RbacRulesFile.LEADER_ELECTION
              : RbacRulesFile.WATCHED_NAMESPACES;
      used.computeIfAbsent(section, s -> new TreeSet<>())
          .add(RbacRulesFile.line(c.apiGroup(), c.resource(), c.verb()));
    }
    for (String section :
        new String[] {RbacRulesFile.WATCHED_NAMESPACES, RbacRulesFile.LEADER_ELECTION}) {
      Set<String> granted = RbacRulesFile.section(section);
      Set<String> recorded = used.getOrDefault(section, new TreeSet<>());
      assertThat(recorded)
          .as("[%s] calls the operator made that %s does not grant", section, RbacRulesFile.PATH)
          .isSubsetOf(granted);
      TreeSet<String> unused = new TreeSet<>(granted);
      unused.removeAll(recorded);
      unused.removeAll(NOT_RECORDED.keySet());
      assertThat(unused)
          .as(
              "[%s] permissions %s grants that no test used (recorded: %s)",
              section, RbacRulesFile.PATH, recorded)
          .isEmpty();
    }
  }

  @Test
  void everyExplainedPermissionIsStillGranted() {
    Set<String> granted = new TreeSet<>(RbacRulesFile.section(RbacRulesFile.WATCHED_NAMESPACES));
    granted.addAll(RbacRulesFile.section(RbacRulesFile.LEADER_ELECTION));
    assertThat(granted).containsAll(NOT_RECORDED.keySet()).containsAll(LEADER_ELECTION_CHECKED);
  }

  /**
   * What the operator does to a cluster's objects over its life: create them, change the config and
   * the image (ConfigMap rewritten, pods rolled), scale in (a StatefulSet, its PodDisruptionBudget
   * and, under Delete, its claims go), delete the cluster.
   */
  private static void scenario(OperatorHarness k8s) {
    k8s.create(
        NS,
        NAME,
        spec -> {
          spec.setShards(4);
          spec.setReplicasPerShard(0);
          spec.setStorage(new Storage("1Gi"));
          spec.setScaleDownPolicy(ScaleDownPolicy.Delete);
        });
    k8s.awaitReady(NS, NAME);

    k8s.edit(
        NS,
        NAME,
        s -> {
          s.setImage("redis:7.2.4");
          s.setConfig(Map.of("maxmemory-policy", "noeviction"));
        });
    k8s.awaitReady(NS, NAME);

    k8s.edit(NS, NAME, (RedisClusterSpec s) -> s.setShards(3));
    k8s.awaitReady(NS, NAME);
    await("StatefulSet " + NAME + "-3 removed")
        .atMost(OperatorHarness.LONG)
        .until(
            () ->
                k8s
                    .client()
                    .apps()
                    .statefulSets()
                    .inNamespace(NS)
                    .withLabels(Labels.cluster(NAME))
                    .list()
                    .getItems()
                    .stream()
                    .map(StatefulSet::getMetadata)
                    .noneMatch(m -> m.getName().equals(NAME + "-3")));

    k8s.client().resource(k8s.get(NS, NAME)).delete();
    await("pods of " + NAME + " gone")
        .atMost(OperatorHarness.LONG)
        .until(() -> k8s.pods(NS, NAME).isEmpty());
  }
}
