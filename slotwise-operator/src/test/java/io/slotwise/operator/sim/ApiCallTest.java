package io.slotwise.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** HTTP method and path to the RBAC verb, group and resource that authorize them. */
class ApiCallTest {
  private static String rbac(String method, String path) {
    return ApiCall.of(method, path, "ua")
        .map(
            c ->
                (c.apiGroup().isEmpty() ? "core" : c.apiGroup())
                    + " "
                    + c.resource()
                    + " "
                    + c.verb())
        .orElse("none");
  }

  @Test
  void getOfOneObjectIsGetOfACollectionListWithWatchWatch() {
    assertThat(rbac("GET", "/api/v1/namespaces/ns/pods/p-0")).isEqualTo("core pods get");
    assertThat(rbac("GET", "/api/v1/namespaces/ns/pods?labelSelector=a%3Db"))
        .isEqualTo("core pods list");
    assertThat(rbac("GET", "/api/v1/pods?resourceVersion=0")).isEqualTo("core pods list");
    assertThat(
            rbac(
                "GET",
                "/apis/apps/v1/namespaces/ns/statefulsets?allowWatchBookmarks=true&watch=true"))
        .isEqualTo("apps statefulsets watch");
    assertThat(
            rbac(
                "GET",
                "/apis/apps/v1/namespaces/ns/statefulsets?fieldSelector=metadata.name%3Dx&watch=1"))
        .isEqualTo("apps statefulsets watch");
  }

  @Test
  void writesMapToCreateUpdatePatchDeleteAndDeleteCollection() {
    assertThat(rbac("POST", "/api/v1/namespaces/ns/events")).isEqualTo("core events create");
    assertThat(rbac("PUT", "/api/v1/namespaces/ns/configmaps/c"))
        .isEqualTo("core configmaps update");
    assertThat(rbac("PATCH", "/apis/apps/v1/namespaces/ns/statefulsets/s"))
        .isEqualTo("apps statefulsets patch");
    assertThat(rbac("DELETE", "/api/v1/namespaces/ns/persistentvolumeclaims/data-x-0"))
        .isEqualTo("core persistentvolumeclaims delete");
    assertThat(rbac("DELETE", "/api/v1/namespaces/ns/pods?labelSelector=a%3Db"))
        .isEqualTo("core pods deletecollection");
  }

  @Test
  void subresourcesNamespacesAndClusterScopedKinds() {
    assertThat(rbac("PUT", "/apis/slotwise.io/v1alpha1/namespaces/ns/redisclusters/rc/status"))
        .isEqualTo("slotwise.io redisclusters/status update");
    assertThat(rbac("GET", "/api/v1/namespaces/ns")).isEqualTo("core namespaces get");
    assertThat(rbac("GET", "/api/v1/namespaces")).isEqualTo("core namespaces list");
    assertThat(rbac("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
        .isEqualTo("authorization.k8s.io selfsubjectrulesreviews create");
    assertThat(rbac("GET", "/apis/coordination.k8s.io/v1/namespaces/op/leases/l"))
        .isEqualTo("coordination.k8s.io leases get");
  }

  @Test
  void discoveryAndHealthAreNoApiCalls() {
    for (String path :
        new String[] {
          "/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz", "/openapi/v2"
        }) {
      assertThat(ApiCall.of("GET", path, "ua")).as(path).isEqualTo(Optional.empty());
    }
  }

  @Test
  void theUserAgentTellsClientsApart() {
    assertThat(
            ApiCall.of("GET", "/api/v1/namespaces/ns/pods", "slotwise-operator-e2e")
                .get()
                .userAgent())
        .isEqualTo("slotwise-operator-e2e");
    assertThat(ApiCall.of("GET", "/api/v1/namespaces/ns/pods", null).get().userAgent()).isEmpty();
  }
}
