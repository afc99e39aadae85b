package io.slotwise.engine.redis;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.concurrent.TimeUnit;

/**
 * The threads behind Redis connections (Lettuce's event loops, computation pool and timer), which
 * several {@link RedisAdmin}s may share: an operator serves every RedisCluster from one set instead
 * of a set per cluster. Lettuce's per-command latency histograms are off: nothing reads them, and
 * they cost about 8 MB of heap per 6-node cluster (HdrHistogram arrays per node and command type)
 * plus a pause-detector thread.
 */
public final class RedisThreads implements AutoCloseable {
  private final ClientResources resources;

  private RedisThreads(ClientResources resources) {
    this.resources = resources;
  }

  /** {@code ioThreads} event loops (and as many computation threads), at least 1 each. */
  public static RedisThreads create(int ioThreads) {
    int n = Math.max(1, ioThreads);
    return new RedisThreads(
        DefaultClientResources.builder()
            .ioThreadPoolSize(n)
            .computationThreadPoolSize(n)
            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
            .build());
  }

  ClientResources resources() {
    return resources;
  }

  @Override
  public void close() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
