package io.slotwise.api.v1alpha1;

/** What happens to the PersistentVolumeClaims of shards or replicas that a scale-in removes. */
public enum ScaleDownPolicy {
  /** The claims stay (data kept until removed by hand). */
  Keep,
  /** The claims are deleted with their pods. */
  Delete
}
