package io.slotwise.operator.model;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one RedisCluster, as pure functions of its {@link ClusterSettings}: no
 * client calls, so a unit test can check every field. The reconciler creates or updates what these
 * return; it never builds objects itself.
 *
 * <p>Objects for a cluster {@code NAME}: Secret {@code NAME-auth} (only when the user names none),
 * ConfigMap {@code NAME-config}, headless Service {@code NAME-nodes}, client Service {@code NAME},
 * and per shard {@code i} a PodDisruptionBudget and a StatefulSet {@code NAME-i}.
 */
public final class ClusterModel {
  public static final String REDIS_CONTAINER = "redis";
  public static final String EXPORTER_CONTAINER = "exporter";
  public static final String PASSWORD_KEY = "password";
  public static final String CONFIG_KEY = "redis.conf";
  public static final int EXPORTER_PORT = 9121;

  static final String CONFIG_DIR = "/etc/slotwise/config";
  static final String AUTH_DIR = "/etc/slotwise/auth";
  static final String RUN_DIR = "/run/slotwise";

  /**
   * The start command: it writes a config of its own (0600, in a memory-backed volume) that
   * includes the ConfigMap's, announces the pod's IP and DNS name, and reads the password from the
   * mounted Secret file, so the password is neither an argument nor in the ConfigMap.
   */
  static final String START_SCRIPT =
      String.join(
          "\n",
          "set -eu",
          "umask 077",
          "conf=" + RUN_DIR + "/redis.conf",
          "{",
          "  echo \"include " + CONFIG_DIR + "/" + CONFIG_KEY + "\"",
          "  echo \"cluster-announce-ip $POD_IP\"",
          "  echo \"cluster-announce-hostname $POD_NAME.$NODES_SERVICE\"",
          "  if [ -f " + AUTH_DIR + "/" + PASSWORD_KEY + " ]; then",
          "    p=$(cat " + AUTH_DIR + "/" + PASSWORD_KEY + ")",
          "    printf 'requirepass \"%s\"\\nmasterauth \"%s\"\\n' \"$p\" \"$p\"",
          "  fi",
          "} > \"$conf\"",
          "exec redis-server \"$conf\"");

  /** Readiness: a real PING, authenticated through REDISCLI_AUTH (not an argument). */
  static final String READY_SCRIPT =
      "if [ -f "
          + AUTH_DIR
          + "/"
          + PASSWORD_KEY
          + " ]; then REDISCLI_AUTH=$(cat "
          + AUTH_DIR
          + "/"
          + PASSWORD_KEY
          + "); export REDISCLI_AUTH; fi; redis-cli -p \"$REDIS_PORT\" ping | grep -q PONG";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final ClusterSettings s;
  private final OwnerReference owner;

  public ClusterModel(ClusterSettings settings, OwnerReference owner) {
    this.s = settings;
    this.owner = owner;
  }

  public ClusterSettings settings() {
    return s;
  }

  public static String secretName(String cluster) {
    return cluster + "-auth";
  }

  public String configMapName() {
    return s.name() + "-config";
  }

  public String headlessServiceName() {
    return s.name() + "-nodes";
  }

  public String clientServiceName() {
    return s.name();
  }

  public String statefulSetName(int shard) {
    return s.name() + "-" + shard;
  }

  public String pdbName(int shard) {
    return s.name() + "-" + shard;
  }

  /** A new random password of 32 letters and digits. */
  public static String newPassword() {
    char[] c = new char[32];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  /** The generated Secret; the reconciler creates it only when it is missing, never replaces it. */
  public Secret secret(String password) {
    return new SecretBuilder()
        .withMetadata(meta(secretName(s.name()), Labels.cluster(s.name())))
        .withType("Opaque")
        .addToData(
            PASSWORD_KEY,
            Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  public ConfigMap configMap() {
    return new ConfigMapBuilder()
        .withMetadata(meta(configMapName(), Labels.cluster(s.name())))
        .addToData(CONFIG_KEY, RedisConfig.render(s))
        .build();
  }

  /** Stable DNS names for pods, ready or not (a forming cluster needs them before it is ready). */
  public Service headlessService() {
    return new ServiceBuilder()
        .withMetadata(meta(headlessServiceName(), Labels.cluster(s.name())))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.pods(s.name()))
        .addNewPort()
        .withName("redis")
        .withPort(s.redisPort())
        .withTargetPort(new IntOrString(s.redisPort()))
        .endPort()
        .addNewPort()
        .withName("bus")
        .withPort(s.busPort())
        .withTargetPort(new IntOrString(s.busPort()))
        .endPort()
        .endSpec()
        .build();
  }

  /** The address clients start from; a cluster client learns the rest with CLUSTER SLOTS. */
  public Service clientService() {
    return new ServiceBuilder()
        .withMetadata(meta(clientServiceName(), Labels.cluster(s.name())))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.pods(s.name()))
        .addNewPort()
        .withName("redis")
        .withPort(6379)
        .withTargetPort(new IntOrString(s.redisPort()))
        .endPort()
        .endSpec()
        .build();
  }

  /** At most one pod of a shard down by choice (drain, eviction) at a time. */
  public PodDisruptionBudget podDisruptionBudget(int shard) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(pdbName(shard), Labels.shard(s.name(), shard)))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Labels.shard(s.name(), shard))
        .endSelector()
        .endSpec()
        .build();
  }

  /**
   * The hash of everything whose change needs a pod restart: image, resources, the directives Redis
   * cannot apply live, persistence, placement, exporter, port. Live directives are left out, so
   * changing them rolls nothing.
   */
  public String revision() {
    StringBuilder sb = new StringBuilder();
    sb.append("image=").append(s.image()).append('\n');
    sb.append("resources=").append(s.resources()).append('\n');
    sb.append("port=").append(s.redisPort()).append('\n');
    sb.append("persistent=").append(s.persistent()).append('\n');
    sb.append("auth=").append(s.authEnabled()).append(s.secretName()).append('\n');
    sb.append("exporter=").append(s.exporterImage()).append('\n');
    sb.append("placement=").append(s.placement()).append('\n');
    RedisConfig.restartRequiring(s.config())
        .forEach((k, v) -> sb.append("config ").append(k).append('=').append(v).append('\n'));
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /**
   * The StatefulSet of one shard with {@code replicas} pods. Replicas are the node provider's to
   * change (scaling happens through the engine), so the caller passes the current count.
   */
  public StatefulSet statefulSet(int shard, int replicas) {
    Map<String, String> podLabels = new LinkedHashMap<>(s.placement().labels());
    podLabels.putAll(Labels.shard(s.name(), shard));
    Map<String, String> podAnnotations = new LinkedHashMap<>(s.placement().annotations());
    podAnnotations.put(Labels.REVISION, revision());
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(configMapName())
            .endConfigMap()
            .build());
    volumes.add(
        new VolumeBuilder()
            .withName("run")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .build());
    if (s.authEnabled()) {
      volumes.add(
          new VolumeBuilder()
              .withName("auth")
              .withNewSecret()
              .withSecretName(s.secretName())
              .withDefaultMode(0400)
              .endSecret()
              .build());
    }
    if (!s.persistent()) {
      volumes.add(new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build());
    }
    List<Container> containers = new ArrayList<>();
    containers.add(redisContainer());
    if (s.exporterEnabled()) {
      containers.add(exporterContainer());
    }
    var spec =
        new StatefulSetBuilder()
            .withMetadata(meta(statefulSetName(shard), Labels.shard(s.name(), shard)))
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(headlessServiceName())
            .withPodManagementPolicy("Parallel")
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .withNewSelector()
            .withMatchLabels(Labels.shard(s.name(), shard))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
            .withNodeSelector(
                s.placement().nodeSelector().isEmpty() ? null : s.placement().nodeSelector())
            .withTolerations(s.placement().tolerations())
            .withAffinity(affinity(shard))
            .withTopologySpreadConstraints(s.placement().topologySpreadConstraints())
            .withTerminationGracePeriodSeconds(30L)
            .withEnableServiceLinks(false)
            .withContainers(containers)
            .withVolumes(volumes)
            .endSpec()
            .endTemplate();
    if (s.persistent()) {
      spec.withVolumeClaimTemplates(claimTemplate());
    }
    return spec.endSpec().build();
  }

  /** The user's affinity when given; else keep a shard's pods on different hosts where possible. */
  private Affinity affinity(int shard) {
    if (s.placement().affinity() != null) {
      return s.placement().affinity();
    }
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector()
        .withMatchLabels(Labels.shard(s.name(), shard))
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  private PersistentVolumeClaim claimTemplate() {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName("data")
        .withLabels(Labels.cluster(s.name()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(s.storageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(s.storageSize()))
        .endResources()
        .endSpec()
        .build();
  }

  private Container redisContainer() {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("data", RedisConfig.DATA_DIR, false));
    mounts.add(mount("config", CONFIG_DIR, true));
    mounts.add(mount("run", RUN_DIR, false));
    if (s.authEnabled()) {
      mounts.add(mount("auth", AUTH_DIR, true));
    }
    return new ContainerBuilder()
        .withName(REDIS_CONTAINER)
        .withImage(s.image())
        .withCommand("sh", "-c", START_SCRIPT)
        .withEnv(
            fieldEnv("POD_IP", "status.podIP"),
            fieldEnv("POD_NAME", "metadata.name"),
            new EnvVarBuilder().withName("NODES_SERVICE").withValue(headlessServiceName()).build(),
            new EnvVarBuilder()
                .withName("REDIS_PORT")
                .withValue(Integer.toString(s.redisPort()))
                .build())
        .addNewPort()
        .withName("redis")
        .withContainerPort(s.redisPort())
        .endPort()
        .addNewPort()
        .withName("bus")
        .withContainerPort(s.busPort())
        .endPort()
        .withResources(s.resources())
        .withVolumeMounts(mounts)
        .withNewReadinessProbe()
        .withNewExec()
        .withCommand("sh", "-c", READY_SCRIPT)
        .endExec()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(3)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewTcpSocket()
        .withPort(new IntOrString(s.redisPort()))
        .endTcpSocket()
        .withInitialDelaySeconds(15)
        .withPeriodSeconds(10)
        .endLivenessProbe()
        .build();
  }

  private Container exporterContainer() {
    List<EnvVar> env = new ArrayList<>();
    env.add(
        new EnvVarBuilder()
            .withName("REDIS_ADDR")
            .withValue("redis://localhost:" + s.redisPort())
            .build());
    if (s.authEnabled()) {
      env.add(
          new EnvVarBuilder()
              .withName("REDIS_PASSWORD")
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(s.secretName())
              .withKey(PASSWORD_KEY)
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return new ContainerBuilder()
        .withName(EXPORTER_CONTAINER)
        .withImage(s.exporterImage())
        .withEnv(env)
        .addNewPort()
        .withName("metrics")
        .withContainerPort(EXPORTER_PORT)
        .endPort()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  private static EnvVar fieldEnv(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private ObjectMeta meta(String name, Map<String, String> labels) {
    ObjectMetaBuilder b =
        new ObjectMetaBuilder().withName(name).withNamespace(s.namespace()).withLabels(labels);
    if (owner != null) {
      b.withOwnerReferences(owner);
    }
    return b.build();
  }
}
