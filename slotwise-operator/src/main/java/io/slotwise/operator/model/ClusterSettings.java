package io.slotwise.operator.model;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.slotwise.api.v1alpha1.PodTemplate;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.ScaleDownPolicy;
import io.slotwise.api.v1alpha1.Storage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A RedisCluster's spec with every default resolved: what the {@link ClusterModel} turns into
 * Kubernetes objects. It holds no secret (the password lives only in the Secret).
 *
 * @param name the RedisCluster's name, prefix of every object
 * @param redisPort the port Redis listens on (an operator setting); the bus port is {@code +10000}
 * @param secretName the Secret holding key {@code password}: the user's or {@code NAME-auth}
 * @param generatedSecret whether the operator owns (and generates) that Secret
 * @param storageSize null when ephemeral
 */
public record ClusterSettings(
    String name,
    String namespace,
    int redisPort,
    int shards,
    int replicasPerShard,
    String image,
    ResourceRequirements resources,
    String storageSize,
    String storageClassName,
    Map<String, String> config,
    boolean authEnabled,
    String secretName,
    boolean generatedSecret,
    Placement placement,
    boolean deleteClaimsOnScaleDown,
    String exporterImage) {

  public static final String DEFAULT_IMAGE = "redis:7.2";
  public static final String DEFAULT_EXPORTER_IMAGE = "oliver006/redis_exporter:v1.62.0";

  public ClusterSettings {
    Objects.requireNonNull(name, "name");
    config = Map.copyOf(new TreeMap<>(config == null ? Map.of() : config));
    placement = placement == null ? Placement.NONE : placement;
    image = image == null || image.isBlank() ? DEFAULT_IMAGE : image;
  }

  public boolean persistent() {
    return storageSize != null;
  }

  public boolean exporterEnabled() {
    return exporterImage != null;
  }

  public int podsPerShard() {
    return 1 + replicasPerShard;
  }

  public int busPort() {
    return redisPort + 10000;
  }

  /** Where pods run and what they carry, as the user overrides it; every part may be empty. */
  public record Placement(
      Map<String, String> nodeSelector,
      List<Toleration> tolerations,
      Affinity affinity,
      List<TopologySpreadConstraint> topologySpreadConstraints,
      Map<String, String> annotations,
      Map<String, String> labels) {
    public static final Placement NONE = new Placement(null, null, null, null, null, null);

    public Placement {
      nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
      tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
      topologySpreadConstraints =
          topologySpreadConstraints == null ? List.of() : List.copyOf(topologySpreadConstraints);
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /** The settings of a RedisCluster, defaults resolved as the API documents them. */
  public static ClusterSettings of(RedisCluster rc, int redisPort) {
    RedisClusterSpec spec = rc.getSpec() == null ? new RedisClusterSpec() : rc.getSpec();
    spec.normalise();
    String name = rc.getMetadata().getName();
    boolean auth = spec.authEnabled();
    String userSecret = spec.getAuth() == null ? null : spec.getAuth().getSecretName();
    boolean generated = auth && (userSecret == null || userSecret.isBlank());
    Storage st = spec.getStorage();
    boolean persistent = spec.persistent();
    PodTemplate pod = spec.getPod();
    Placement placement =
        pod == null
            ? Placement.NONE
            : new Placement(
                pod.getNodeSelector(),
                pod.getTolerations(),
                pod.getAffinity(),
                pod.getTopologySpreadConstraints(),
                pod.getAnnotations(),
                pod.getLabels());
    return new ClusterSettings(
        name,
        rc.getMetadata().getNamespace(),
        redisPort,
        spec.getShards(),
        spec.getReplicasPerShard(),
        spec.getImage(),
        spec.getResources(),
        persistent ? st.getSize() : null,
        persistent ? st.getStorageClassName() : null,
        spec.getConfig(),
        auth,
        auth ? (generated ? name + "-auth" : userSecret) : null,
        generated,
        placement,
        spec.getScaleDownPolicy() == ScaleDownPolicy.Delete,
        spec.exporterEnabled() ? spec.getExporter().getImage() : null);
  }

  /** A builder-free copy with another shard count, for tests and scale planning. */
  public ClusterSettings withShards(int n) {
    return new ClusterSettings(
        name,
        namespace,
        redisPort,
        n,
        replicasPerShard,
        image,
        resources,
        storageSize,
        storageClassName,
        config,
        authEnabled,
        secretName,
        generatedSecret,
        placement,
        deleteClaimsOnScaleDown,
        exporterImage);
  }

  public ClusterSettings withImage(String newImage) {
    return new ClusterSettings(
        name,
        namespace,
        redisPort,
        shards,
        replicasPerShard,
        newImage,
        resources,
        storageSize,
        storageClassName,
        config,
        authEnabled,
        secretName,
        generatedSecret,
        placement,
        deleteClaimsOnScaleDown,
        exporterImage);
  }

  public ClusterSettings withConfig(Map<String, String> newConfig) {
    return new ClusterSettings(
        name,
        namespace,
        redisPort,
        shards,
        replicasPerShard,
        image,
        resources,
        storageSize,
        storageClassName,
        newConfig,
        authEnabled,
        secretName,
        generatedSecret,
        placement,
        deleteClaimsOnScaleDown,
        exporterImage);
  }
}
