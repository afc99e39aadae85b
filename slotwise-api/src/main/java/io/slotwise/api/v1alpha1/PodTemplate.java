package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Scheduling and metadata of the Redis pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplate {

  @JsonPropertyDescription("Node labels a Redis pod's node must have.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the Redis pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity of the Redis pods (e.g. anti-affinity across nodes).")
  private Affinity affinity;

  @JsonPropertyDescription("Topology spread constraints of the Redis pods.")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("Extra annotations of the Redis pods.")
  private Map<String, String> annotations;

  @JsonPropertyDescription(
      "Extra labels of the Redis pods (the app.kubernetes.io/* and slotwise.io/* labels are"
          + " the operator's).")
  @ValidationRule(
      value = RULE_LABELS_OWNED,
      message =
          "pod.labels may not set app.kubernetes.io/name, instance, managed-by, component or"
              + " slotwise.io/* labels: the operator sets and selects on them")
  private Map<String, String> labels;

  static final String RULE_LABELS_OWNED =
      "self.all(k, !(k in ['app.kubernetes.io/name', 'app.kubernetes.io/instance',"
          + " 'app.kubernetes.io/managed-by', 'app.kubernetes.io/component'])"
          + " && !k.startsWith('slotwise.io/'))";

  public PodTemplate() {}

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(
      List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }
}
