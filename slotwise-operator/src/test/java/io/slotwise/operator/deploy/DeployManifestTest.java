package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import org.junit.jupiter.api.Test;

/**
 * deploy/slotwise.yaml is the chart rendered with its defaults, and installs into slotwise-system.
 */
class DeployManifestTest {
  static final String FILE = "deploy/slotwise.yaml";

  static final String REFRESH =
      "helm template slotwise charts/slotwise --namespace slotwise-system --set namespace.create=true > deploy/slotwise.yaml";

  @Test
  void theCommittedInstallYamlIsWhatHelmRendersFromTheChart() {
    String rendered = Helm.template(Helm.NAMESPACE, "--set", "namespace.create=true");
    String committed = RepositoryFiles.read(RepositoryFiles.root().resolve(FILE));
    assertThat(committed)
        .as(
            FILE
                + " differs from the chart; refresh it from the repository root with:\n  "
                + REFRESH)
        .isEqualTo(rendered);
  }

  @Test
  void theInstallYamlCreatesItsNamespaceFirstAndPutsEveryNamespacedObjectInIt() {
    RenderedManifests manifest =
        RenderedManifests.parse(RepositoryFiles.read(RepositoryFiles.root().resolve(FILE)));
    assertThat(manifest.all().get(0)).isInstanceOf(Namespace.class);
    assertThat(manifest.all().get(0).getMetadata().getName()).isEqualTo("slotwise-system");
    assertThat(manifest.all())
        .filteredOn(o -> !(o instanceof Namespace) && !o.getKind().startsWith("Cluster"))
        .extracting(HasMetadata::getMetadata)
        .allSatisfy(m -> assertThat(m.getNamespace()).isEqualTo("slotwise-system"));
    assertThat(manifest.names())
        .containsExactly(
            "Namespace slotwise-system",
            "ServiceAccount slotwise-system/slotwise",
            "ClusterRole slotwise",
            "ClusterRoleBinding slotwise",
            "Role slotwise-system/slotwise-leader-election",
            "RoleBinding slotwise-system/slotwise-leader-election",
            "Deployment slotwise-system/slotwise");
    // The CRD is installed on its own, from deploy/crds/ (kubectl apply --server-side).
    assertThat(manifest.ofType(CustomResourceDefinition.class)).isEmpty();
    assertThat(RepositoryFiles.read(RepositoryFiles.root().resolve(FILE))).contains(REFRESH);
  }
}
