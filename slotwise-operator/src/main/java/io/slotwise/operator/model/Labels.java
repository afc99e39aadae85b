package io.slotwise.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels and annotations Slotwise puts on the objects of a RedisCluster. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String SHARD = "slotwise.io/shard";
  public static final String REVISION = "slotwise.io/revision";
  public static final String PAUSED = "slotwise.io/paused";

  public static final String APP = "redis-cluster";
  public static final String OPERATOR = "slotwise";

  private Labels() {}

  /** The labels of every object of the cluster; also the selector of all its pods. */
  public static Map<String, String> cluster(String clusterName) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, clusterName);
    labels.put(MANAGED_BY, OPERATOR);
    return labels;
  }

  /** The labels of the pods of the cluster (what the Services select). */
  public static Map<String, String> pods(String clusterName) {
    Map<String, String> labels = cluster(clusterName);
    labels.put(COMPONENT, "redis");
    return labels;
  }

  /** The labels of one shard's objects and pods (what its StatefulSet and PDB select). */
  public static Map<String, String> shard(String clusterName, int shard) {
    Map<String, String> labels = pods(clusterName);
    labels.put(SHARD, Integer.toString(shard));
    return labels;
  }

  /** A label selector in the {@code k=v,k=v} form the API and informers take. */
  public static String selector(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder();
    labels.forEach(
        (k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }
}
