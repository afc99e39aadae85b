package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The permissions the chart grants are exactly the committed list deploy/rbac-rules.txt, in every
 * watch mode. A change of the chart's rules must change that list too, in the same commit, where a
 * reviewer sees it; the operator's end-to-end tests compare the list with the API calls they
 * record.
 */
class RbacRulesTest {
  private static final String RULES_FILE = RbacRulesFile.PATH;

  static Map<String, TreeSet<String>> committedRules() {
    Map<String, TreeSet<String>> sections = RbacRulesFile.read();
    assertThat(sections)
        .containsOnlyKeys(RbacRulesFile.WATCHED_NAMESPACES, RbacRulesFile.LEADER_ELECTION);
    return sections;
  }

  @Test
  void theRuleTemplatesDependOnNoValueSoEveryModeGrantsTheSameRules() {
    String rules =
        RepositoryFiles.read(RepositoryFiles.chart().resolve("templates/_rbac-rules.tpl"));
    assertThat(rules).doesNotContain(".Values", ".Release", ".Capabilities", "include", "tpl ");
    assertThat(rules)
        .contains("define \"slotwise.rules\"", "define \"slotwise.leaderElectionRules\"");
  }

  @Test
  void aRecordedCallIsWrittenTheWayTheFileWritesIt() {
    assertThat(RbacRulesFile.line("", "pods", "delete")).isEqualTo("core pods delete");
    assertThat(RbacRulesFile.section(RbacRulesFile.WATCHED_NAMESPACES))
        .contains(RbacRulesFile.line("slotwise.io", "redisclusters/status", "update"));
    assertThat(RbacRulesFile.section(RbacRulesFile.LEADER_ELECTION))
        .contains(RbacRulesFile.line("coordination.k8s.io", "leases", "get"));
  }

  @Test
  void theClusterRoleAndTheLeaseRoleGrantExactlyTheCommittedList() {
    Map<String, TreeSet<String>> committed = committedRules();
    RenderedManifests rendered =
        RenderedManifests.parse(
            Helm.template(
                Helm.NAMESPACE, "-f", RepositoryFiles.ciValues("default-values.yaml").toString()));

    assertThat(RenderedManifests.ruleLines(rendered.single(ClusterRole.class).getRules()))
        .as("ClusterRole rules against [watched-namespaces] of " + RULES_FILE)
        .containsExactlyElementsOf(committed.get("watched-namespaces"));
    assertThat(RenderedManifests.ruleLines(rendered.single(Role.class).getRules()))
        .as("leader-election Role rules against [leader-election] of " + RULES_FILE)
        .containsExactlyElementsOf(committed.get("leader-election"));
  }

  @Test
  void eachWatchedNamespacesRoleGrantsTheSameCommittedList() {
    Map<String, TreeSet<String>> committed = committedRules();
    RenderedManifests rendered =
        RenderedManifests.parse(
            Helm.template(
                Helm.NAMESPACE,
                "-f",
                RepositoryFiles.ciValues("namespaced-list-values.yaml").toString()));
    List<Role> roles = rendered.ofType(Role.class);
    assertThat(roles).hasSize(3);
    for (Role role : roles) {
      String expected =
          role.getMetadata().getName().endsWith("-leader-election")
              ? "leader-election"
              : "watched-namespaces";
      assertThat(RenderedManifests.ruleLines(role.getRules()))
          .as("Role %s/%s", role.getMetadata().getNamespace(), role.getMetadata().getName())
          .containsExactlyElementsOf(committed.get(expected));
    }
  }

  @Test
  void theWatchedNamespacesRulesNeverReachBeyondWhatTheOperatorOwns() {
    TreeSet<String> watched = committedRules().get("watched-namespaces");
    // Nothing cluster-wide in meaning, no wildcard, no Lease outside leader election, no pod exec.
    assertThat(watched)
        .noneMatch(l -> l.contains("*"))
        .noneMatch(l -> l.contains(" leases "))
        .noneMatch(l -> l.contains("pods/exec") || l.contains("pods/portforward"))
        .noneMatch(
            l -> l.startsWith("rbac.authorization.k8s.io") || l.startsWith("apiextensions.k8s.io"))
        .noneMatch(l -> l.startsWith("core namespaces") || l.startsWith("core nodes"))
        .noneMatch(
            l -> l.endsWith(" escalate") || l.endsWith(" bind") || l.endsWith(" impersonate"));
    assertThat(watched)
        .contains(
            "core pods delete", "slotwise.io redisclusters/status update", "core events create")
        .doesNotContain(
            "core pods create",
            "slotwise.io redisclusters create",
            "slotwise.io redisclusters delete");
  }
}
