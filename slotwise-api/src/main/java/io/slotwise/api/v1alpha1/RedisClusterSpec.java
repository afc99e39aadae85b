package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The desired shape of a Redis Cluster. Field initialisers carry the same defaults as the CRD. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = RedisClusterSpec.RULE_NO_STORAGE_SWITCH,
    message =
        "storage cannot switch between ephemeral and persistent; create a new RedisCluster"
            + " instead")
@ValidationRule(
    value = RedisClusterSpec.RULE_SECRET_IMMUTABLE,
    message = "auth.secretName cannot be changed once the cluster exists")
public class RedisClusterSpec {

  public static final int DEFAULT_SHARDS = 3;
  public static final int DEFAULT_REPLICAS_PER_SHARD = 1;
  public static final String DEFAULT_IMAGE = "redis:7.2";

  /**
   * redis.conf directives that Slotwise writes itself: {@code config} may not set them. Redis
   * directives are case-insensitive; see also {@link #OWNED_DIRECTIVE_PREFIXES}.
   */
  public static final List<String> OWNED_DIRECTIVES =
      List.of(
          "port",
          "cluster-enabled",
          "cluster-config-file",
          "cluster-announce-ip",
          "cluster-announce-port",
          "cluster-announce-bus-port",
          "cluster-announce-hostname",
          "requirepass",
          "masterauth",
          "masteruser",
          "dir",
          "bind",
          "protected-mode",
          "daemonize",
          "include",
          "rename-command",
          "unixsocket");

  /** Prefixes of directives that Slotwise owns (TLS, later). */
  public static final List<String> OWNED_DIRECTIVE_PREFIXES = List.of("tls-");

  /** The same list as {@link #OWNED_DIRECTIVES}, as CEL source (a test keeps them equal). */
  static final String OWNED_DIRECTIVES_CEL =
      "['port', 'cluster-enabled', 'cluster-config-file', 'cluster-announce-ip',"
          + " 'cluster-announce-port', 'cluster-announce-bus-port', 'cluster-announce-hostname',"
          + " 'requirepass', 'masterauth', 'masteruser', 'dir', 'bind', 'protected-mode',"
          + " 'daemonize', 'include', 'rename-command', 'unixsocket']";

  static final String RULE_CONFIG_OWNED =
      "self.all(k, !(k.lowerAscii() in "
          + OWNED_DIRECTIVES_CEL
          + ") && !k.lowerAscii().startsWith('tls-'))";
  static final String RULE_SHARDS = "self >= 1";
  static final String RULE_REPLICAS = "self >= 0";
  static final String PERSISTENT_SELF =
      "(has(self.storage) && !(has(self.storage.ephemeral) && self.storage.ephemeral))";
  static final String PERSISTENT_OLD =
      "(has(oldSelf.storage) && !(has(oldSelf.storage.ephemeral) && oldSelf.storage.ephemeral))";
  static final String RULE_NO_STORAGE_SWITCH = PERSISTENT_SELF + " == " + PERSISTENT_OLD;
  static final String RULE_SECRET_IMMUTABLE =
      "(has(self.auth) && has(self.auth.secretName) ? self.auth.secretName : '')"
          + " == (has(oldSelf.auth) && has(oldSelf.auth.secretName) ? oldSelf.auth.secretName"
          + " : '')";

  @JsonPropertyDescription("Number of shards (primaries), each owning part of the 16384 slots.")
  @Default("3")
  @Min(1)
  @ValidationRule(value = RULE_SHARDS, message = "shards must be at least 1")
  private int shards = DEFAULT_SHARDS;

  @JsonPropertyDescription("Replicas of each shard's primary (0 for none).")
  @Default("1")
  @Min(0)
  @ValidationRule(value = RULE_REPLICAS, message = "replicasPerShard must be 0 or more")
  private int replicasPerShard = DEFAULT_REPLICAS_PER_SHARD;

  @JsonPropertyDescription("Image of the Redis (or Valkey) server.")
  @Default(DEFAULT_IMAGE)
  @Pattern("^\\S+$")
  private String image = DEFAULT_IMAGE;

  @JsonPropertyDescription("CPU and memory of the redis container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Data volumes; ephemeral (emptyDir) when not set.")
  private Storage storage;

  @JsonPropertyDescription(
      "Extra redis.conf directives (name to value). Directives Slotwise owns (port, cluster-*,"
          + " requirepass, masterauth, dir, bind, ...) are refused.")
  @Size(max = 200)
  @ValidationRule(
      value = RULE_CONFIG_OWNED,
      message =
          "config may not set directives owned by Slotwise (port, cluster-enabled,"
              + " cluster-config-file, cluster-announce-*, requirepass, masterauth, masteruser,"
              + " dir, bind, protected-mode, daemonize, include, rename-command, unixsocket,"
              + " tls-*)")
  private Map<String, String> config;

  @JsonPropertyDescription("Password authentication (on by default).")
  @Default("{}")
  private Auth auth = new Auth();

  @JsonPropertyDescription("Scheduling and metadata of the Redis pods.")
  private PodTemplate pod;

  @JsonPropertyDescription(
      "What happens to the volumes of shards or replicas removed by a scale-in: Keep (default)"
          + " or Delete.")
  @Default("Keep")
  private ScaleDownPolicy scaleDownPolicy = ScaleDownPolicy.Keep;

  @JsonPropertyDescription("Prometheus redis_exporter sidecar.")
  private Exporter exporter;

  public RedisClusterSpec() {}

  /** True when {@code key} is a directive that {@code config} may not set (case-insensitive). */
  public static boolean isOwnedDirective(String key) {
    if (key == null) {
      return false;
    }
    String k = key.trim().toLowerCase(Locale.ROOT);
    return OWNED_DIRECTIVES.contains(k)
        || OWNED_DIRECTIVE_PREFIXES.stream().anyMatch(k::startsWith);
  }

  /** True when the nodes keep their data on PersistentVolumeClaims. */
  public boolean persistent() {
    return storage != null && !storage.isEphemeral();
  }

  /** True when a password is required (auth missing counts as the default: enabled). */
  public boolean authEnabled() {
    return auth == null || auth.isEnabled();
  }

  /** True when the exporter sidecar runs. */
  public boolean exporterEnabled() {
    return exporter != null && exporter.isEnabled();
  }

  /**
   * Fills in what a client may have set to null (auth, scaleDownPolicy, image, exporter image) with
   * the defaults of the CRD, in place, and returns this spec.
   */
  public RedisClusterSpec normalise() {
    if (image == null || image.isBlank()) {
      image = DEFAULT_IMAGE;
    }
    if (auth == null) {
      auth = new Auth();
    }
    if (scaleDownPolicy == null) {
      scaleDownPolicy = ScaleDownPolicy.Keep;
    }
    if (exporter != null && (exporter.getImage() == null || exporter.getImage().isBlank())) {
      exporter.setImage(Exporter.DEFAULT_IMAGE);
    }
    return this;
  }

  public int getShards() {
    return shards;
  }

  public void setShards(int shards) {
    this.shards = shards;
  }

  public int getReplicasPerShard() {
    return replicasPerShard;
  }

  public void setReplicasPerShard(int replicasPerShard) {
    this.replicasPerShard = replicasPerShard;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Storage getStorage() {
    return storage;
  }

  public void setStorage(Storage storage) {
    this.storage = storage;
  }

  public Map<String, String> getConfig() {
    return config;
  }

  public void setConfig(Map<String, String> config) {
    this.config = config;
  }

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  public PodTemplate getPod() {
    return pod;
  }

  public void setPod(PodTemplate pod) {
    this.pod = pod;
  }

  public ScaleDownPolicy getScaleDownPolicy() {
    return scaleDownPolicy;
  }

  public void setScaleDownPolicy(ScaleDownPolicy scaleDownPolicy) {
    this.scaleDownPolicy = scaleDownPolicy;
  }

  public Exporter getExporter() {
    return exporter;
  }

  public void setExporter(Exporter exporter) {
    this.exporter = exporter;
  }

  /** Never prints config values (a directive may hold a secret). */
  @Override
  public String toString() {
    return "RedisClusterSpec{shards="
        + shards
        + ", replicasPerShard="
        + replicasPerShard
        + ", image="
        + image
        + ", storage="
        + storage
        + ", configKeys="
        + (config == null ? "[]" : config.keySet())
        + ", auth="
        + auth
        + ", scaleDownPolicy="
        + scaleDownPolicy
        + ", exporter="
        + exporter
        + "}";
  }
}
