package io.slotwise.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Redis Cluster run by the Slotwise operator: {@code shards} primaries with {@code
 * replicasPerShard} replicas each, one StatefulSet per shard.
 *
 * <p>The annotation {@value #PAUSED_ANNOTATION}{@code ="true"} stops every action but status
 * updates.
 */
@Group(RedisCluster.GROUP)
@Version(RedisCluster.VERSION)
@Kind("RedisCluster")
@Plural("redisclusters")
@Singular("rediscluster")
@ShortNames({"rc", "redisc"})
@AdditionalPrinterColumn(
    name = "Shards",
    jsonPath = ".spec.shards",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Status",
    jsonPath = ".status.summary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Operation",
    jsonPath = ".status.operation.type",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class RedisCluster extends CustomResource<RedisClusterSpec, RedisClusterStatus>
    implements Namespaced {

  public static final String GROUP = "slotwise.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "redisclusters." + GROUP;

  /** Annotation that, set to {@code "true"}, pauses every action of the operator but status. */
  public static final String PAUSED_ANNOTATION = "slotwise.io/paused";

  private static final long serialVersionUID = 1L;

  /** An empty spec, so that a resource without one gets every default. */
  @Override
  protected RedisClusterSpec initSpec() {
    return new RedisClusterSpec();
  }

  /** The spec; an absent spec defaults to {} in the CRD, so that it gets every default. */
  @Override
  @Default("{}")
  public RedisClusterSpec getSpec() {
    return super.getSpec();
  }

  /** True when the annotation {@value #PAUSED_ANNOTATION} is {@code "true"}. */
  public boolean paused() {
    var meta = getMetadata();
    return meta != null
        && meta.getAnnotations() != null
        && "true".equals(meta.getAnnotations().get(PAUSED_ANNOTATION));
  }
}
