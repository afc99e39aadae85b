package io.slotwise.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.slotwise.operator.model.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;

/** Facts about a cluster's pods, read from their labels, names and status. */
final class Pods {
  private Pods() {}

  /** Shard order, then ordinal: the provider's "older first" order. */
  static final Comparator<Pod> ORDER =
      Comparator.comparingInt(Pods::shard).thenComparingInt(Pods::ordinal);

  static int shard(Pod pod) {
    String s =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get(Labels.SHARD);
    try {
      return s == null ? Integer.MAX_VALUE : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  static int ordinal(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  static boolean ready(Pod pod) {
    return !terminating(pod)
        && pod.getStatus() != null
        && pod.getStatus().getPodIP() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static String revision(Pod pod) {
    return pod.getMetadata().getAnnotations() == null
        ? null
        : pod.getMetadata().getAnnotations().get(Labels.REVISION);
  }

  /** How long the pod has existed (a pod recreated by its StatefulSet starts again at zero). */
  static Duration age(Pod pod, Instant now) {
    String created = pod.getMetadata().getCreationTimestamp();
    if (created == null) {
      return Duration.ZERO;
    }
    try {
      return Duration.between(Instant.parse(created), now);
    } catch (RuntimeException e) {
      return Duration.ZERO;
    }
  }
}
