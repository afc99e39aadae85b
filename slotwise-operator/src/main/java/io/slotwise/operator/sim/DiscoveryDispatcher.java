package io.slotwise.operator.sim;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the legacy discovery documents ({@code /api}, {@code /api/v1}, {@code /apis}, {@code
 * /apis/GROUP/VERSION}) that the CRUD store does not, for the built-in kinds the operator uses and
 * for every CRD in the store (with its short names, so {@code kubectl get rc} resolves); everything
 * else goes to the store. Aggregated discovery is answered with 406 so clients fall back.
 */
final class DiscoveryDispatcher extends Dispatcher {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private record Kind(String plural, String kind, boolean namespaced, List<String> shortNames) {}

  private static final Map<String, List<Kind>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put(
        "v1",
        List.of(
            new Kind("pods", "Pod", true, List.of("po")),
            new Kind("services", "Service", true, List.of("svc")),
            new Kind("configmaps", "ConfigMap", true, List.of("cm")),
            new Kind("secrets", "Secret", true, List.of()),
            new Kind("persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc")),
            new Kind("endpoints", "Endpoints", true, List.of("ep")),
            new Kind("events", "Event", true, List.of("ev")),
            new Kind("serviceaccounts", "ServiceAccount", true, List.of("sa")),
            new Kind("namespaces", "Namespace", false, List.of("ns")),
            new Kind("nodes", "Node", false, List.of("no"))));
    BUILT_IN.put(
        "apps/v1",
        List.of(
            new Kind("statefulsets", "StatefulSet", true, List.of("sts")),
            new Kind("deployments", "Deployment", true, List.of("deploy")),
            new Kind("controllerrevisions", "ControllerRevision", true, List.of())));
    BUILT_IN.put(
        "policy/v1",
        List.of(new Kind("poddisruptionbudgets", "PodDisruptionBudget", true, List.of("pdb"))));
    BUILT_IN.put(
        "apiextensions.k8s.io/v1",
        List.of(
            new Kind(
                "customresourcedefinitions", "CustomResourceDefinition", false, List.of("crd"))));
    BUILT_IN.put("coordination.k8s.io/v1", List.of(new Kind("leases", "Lease", true, List.of())));
    BUILT_IN.put("events.k8s.io/v1", List.of(new Kind("events", "Event", true, List.of("ev"))));
  }

  /** The kinds {@code kubectl get all} lists (category "all"). */
  private static final List<String> IN_ALL = List.of("Pod", "Service", "StatefulSet", "Deployment");

  private static final String SELF_SUBJECT_RULES_REVIEWS =
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  private final KubernetesCrudDispatcher store;
  private final java.util.function.Consumer<ApiCall> recorder;

  DiscoveryDispatcher(
      KubernetesCrudDispatcher store, java.util.function.Consumer<ApiCall> recorder) {
    this.store = store;
    this.recorder = recorder;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    ApiCall.of(request.getMethod(), request.getPath(), request.getHeader("User-Agent"))
        .ifPresent(recorder);
    if ("GET".equals(request.getMethod())) {
      String path = request.getPath();
      int q = path.indexOf('?');
      String bare = q < 0 ? path : path.substring(0, q);
      if (bare.length() > 1 && bare.endsWith("/")) {
        bare = bare.substring(0, bare.length() - 1);
      }
      if (bare.startsWith("/openapi")) {
        // No OpenAPI documents: kubectl then validates nothing client-side (the store admits
        // anything anyway). The store would answer with a list of every object instead.
        return json(
            404,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"no OpenAPI documents in the simulation\"}");
      }
      if (bare.equals("/healthz") || bare.equals("/readyz") || bare.equals("/livez")) {
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "text/plain")
            .setBody("ok");
      }
      if (bare.equals("/version")) {
        // kubectl version, and clients that check the server's version
        return json(
            200,
            "{\"major\":\"1\",\"minor\":\"35\",\"gitVersion\":\"v1.35.0-slotwise-simulation\","
                + "\"gitCommit\":\"\",\"gitTreeState\":\"clean\",\"buildDate\":\"2026-01-01T00:00:00Z\","
                + "\"goVersion\":\"\",\"compiler\":\"\",\"platform\":\"linux/amd64\"}");
      }
      Optional<String> body = discovery(bare);
      if (body.isPresent()) {
        return json(200, body.get());
      }
    }
    if ("POST".equals(request.getMethod())
        && request.getPath().startsWith(SELF_SUBJECT_RULES_REVIEWS)) {
      // JOSDK asks what it may do before it takes part in leader election. The simulation
      // authorizes every request, and says so; the CRUD store would refuse the review (no name).
      return json(
          201,
          "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
              + "\"metadata\":{},\"spec\":{},\"status\":{\"incomplete\":false,"
              + "\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
              + "\"resources\":[\"*\"]}],\"nonResourceRules\":[]}}");
    }
    MockResponse response = store.dispatch(request);
    if (response.getHeaders() == null || response.header("Content-Type") == null) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private Optional<String> discovery(String path) {
    if (path.equals("/api")) {
      return Optional.of(Serialization.asJson(new APIVersionsBuilder().withVersions("v1").build()));
    }
    if (path.equals("/apis")) {
      List<APIGroup> groups = new ArrayList<>();
      Map<String, List<String>> versions = new LinkedHashMap<>();
      for (String gv : BUILT_IN.keySet()) {
        if (gv.contains("/")) {
          String[] p = gv.split("/");
          versions.computeIfAbsent(p[0], g -> new ArrayList<>()).add(p[1]);
        }
      }
      for (CustomResourceDefinition crd : crds()) {
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
          if (Boolean.TRUE.equals(v.getServed())) {
            List<String> vs =
                versions.computeIfAbsent(crd.getSpec().getGroup(), g -> new ArrayList<>());
            if (!vs.contains(v.getName())) {
              vs.add(v.getName());
            }
          }
        }
      }
      versions.forEach(
          (group, vs) -> {
            APIGroupBuilder b = new APIGroupBuilder().withName(group);
            for (String v : vs) {
              b.addToVersions(
                  new GroupVersionForDiscoveryBuilder()
                      .withGroupVersion(group + "/" + v)
                      .withVersion(v)
                      .build());
            }
            b.withPreferredVersion(
                new GroupVersionForDiscoveryBuilder()
                    .withGroupVersion(group + "/" + vs.get(0))
                    .withVersion(vs.get(0))
                    .build());
            groups.add(b.build());
          });
      return Optional.of(
          Serialization.asJson(new APIGroupListBuilder().withGroups(groups).build()));
    }
    String groupVersion;
    if (path.startsWith("/api/") && path.chars().filter(c -> c == '/').count() == 2) {
      groupVersion = path.substring("/api/".length());
    } else if (path.startsWith("/apis/") && path.chars().filter(c -> c == '/').count() == 3) {
      groupVersion = path.substring("/apis/".length());
    } else {
      return Optional.empty();
    }
    List<APIResource> resources = new ArrayList<>();
    for (Kind k : BUILT_IN.getOrDefault(groupVersion, List.of())) {
      APIResource r = resource(k.plural(), k.kind(), k.namespaced(), k.shortNames(), null);
      if (IN_ALL.contains(k.kind())) {
        r.setCategories(List.of("all"));
      }
      resources.add(r);
      if (k.kind().equals("Pod") || k.kind().equals("StatefulSet")) {
        resources.add(
            new APIResourceBuilder()
                .withName(k.plural() + "/status")
                .withKind(k.kind())
                .withNamespaced(true)
                .withSingularName("")
                .withVerbs("get", "patch", "update")
                .build());
      }
    }
    for (CustomResourceDefinition crd : crds()) {
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (!(crd.getSpec().getGroup() + "/" + v.getName()).equals(groupVersion)
            || !Boolean.TRUE.equals(v.getServed())) {
          continue;
        }
        var names = crd.getSpec().getNames();
        boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
        resources.add(
            resource(
                names.getPlural(),
                names.getKind(),
                namespaced,
                names.getShortNames() == null ? List.of() : names.getShortNames(),
                names));
        if (v.getSubresources() != null && v.getSubresources().getStatus() != null) {
          resources.add(
              new APIResourceBuilder()
                  .withName(names.getPlural() + "/status")
                  .withKind(names.getKind())
                  .withNamespaced(namespaced)
                  .withSingularName("")
                  .withVerbs("get", "patch", "update")
                  .build());
        }
      }
    }
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Serialization.asJson(
            new APIResourceListBuilder()
                .withGroupVersion(groupVersion)
                .withResources(resources)
                .build()));
  }

  private static APIResource resource(
      String plural,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames names) {
    APIResourceBuilder b =
        new APIResourceBuilder()
            .withName(plural)
            .withKind(kind)
            .withNamespaced(namespaced)
            .withSingularName(
                names != null && names.getSingular() != null
                    ? names.getSingular()
                    : kind.toLowerCase(java.util.Locale.ROOT))
            .withVerbs(VERBS)
            .withShortNames(shortNames);
    if (names != null && names.getCategories() != null) {
      b.withCategories(names.getCategories());
    }
    return b.build();
  }

  private List<CustomResourceDefinition> crds() {
    MockResponse r = store.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
    if (r.code() != 200 || r.getBody() == null) {
      return List.of();
    }
    KubernetesResourceList<?> list =
        Serialization.unmarshal(
            new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8),
            CustomResourceDefinitionList.class);
    List<CustomResourceDefinition> out = new ArrayList<>();
    for (Object o : list.getItems()) {
      if (o instanceof CustomResourceDefinition crd && crd.getSpec() != null) {
        out.add(crd);
      }
    }
    return out;
  }
}
