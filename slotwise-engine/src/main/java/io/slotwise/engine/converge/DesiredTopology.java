package io.slotwise.engine.converge;

import io.slotwise.engine.plan.ScalePlanner;
import java.util.List;

/**
 * The cluster wanted: a number of shards, replicas per shard, and optionally a slot weight per
 * shard (in shard order; empty for equal shares). Invalid values are refused with an {@link
 * io.slotwise.engine.plan.PlanningException} before anything changes.
 */
public record DesiredTopology(int shards, int replicasPerShard, List<Double> weights) {
  public DesiredTopology {
    weights = List.copyOf(weights);
    new ScalePlanner.Target(shards, replicasPerShard, weights);
  }

  public static DesiredTopology of(int shards, int replicasPerShard) {
    return new DesiredTopology(shards, replicasPerShard, List.of());
  }

  ScalePlanner.Target target() {
    return new ScalePlanner.Target(shards, replicasPerShard, weights);
  }

  public int nodes() {
    return shards * (1 + replicasPerShard);
  }
}
