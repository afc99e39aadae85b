package io.slotwise.operator.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The documents of a rendered manifest (helm template output or an install YAML), each parsed into
 * its fabric8 model class. A document of a kind fabric8 has no class for is refused: every object
 * the chart renders must be a known Kubernetes type with the fields it is expected to have.
 */
final class RenderedManifests {
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private final List<HasMetadata> objects;

  private RenderedManifests(List<HasMetadata> objects) {
    this.objects = List.copyOf(objects);
  }

  static RenderedManifests parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
        continue;
      }
      Object parsed = Serialization.unmarshal(document);
      if (!(parsed instanceof HasMetadata object) || parsed instanceof GenericKubernetesResource) {
        throw new AssertionError("not a typed Kubernetes object:\n" + document);
      }
      objects.add(object);
    }
    return new RenderedManifests(objects);
  }

  List<HasMetadata> all() {
    return objects;
  }

  <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  <T extends HasMetadata> T single(Class<T> type) {
    List<T> found = ofType(type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  Deployment deployment() {
    return single(Deployment.class);
  }

  /** Kinds in rendering order, e.g. "ClusterRole slotwise" or "Role team-a/slotwise". */
  List<String> names() {
    return objects.stream()
        .map(
            o ->
                o.getKind()
                    + " "
                    + (o.getMetadata().getNamespace() == null
                        ? ""
                        : o.getMetadata().getNamespace() + "/")
                    + o.getMetadata().getName())
        .collect(Collectors.toList());
  }

  /** Rules flattened to "group resource verb" lines, sorted, the core group written "core". */
  static TreeSet<String> ruleLines(List<PolicyRule> rules) {
    TreeSet<String> lines = new TreeSet<>();
    for (PolicyRule rule : rules) {
      if (!rule.getNonResourceURLs().isEmpty() || !rule.getResourceNames().isEmpty()) {
        throw new AssertionError("unexpected rule shape: " + rule);
      }
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            lines.add((Objects.equals(group, "") ? "core" : group) + " " + resource + " " + verb);
          }
        }
      }
    }
    return lines;
  }
}
