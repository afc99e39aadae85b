package io.slotwise.operator;

import java.time.Duration;
import java.util.Set;

/**
 * Settings of one operator process.
 *
 * @param namespaces the namespaces watched; empty for all
 * @param redisPort the port of every Redis pod (bus port {@code +10000}); tests use a free one
 * @param reconcileThreads RedisClusters reconciled at once
 * @param podReadyTimeout how long a pod may stay not Ready before the cluster is Degraded and a
 *     roll halts
 * @param maxSlotsPerStep slots one reconcile moves at most, so other clusters are served meanwhile
 * @param requeue the delay before the next reconcile while an operation runs
 * @param resync the delay between reconciles of a Ready cluster
 */
public record OperatorConfig(
    Set<String> namespaces,
    int redisPort,
    int reconcileThreads,
    Duration podReadyTimeout,
    int maxSlotsPerStep,
    Duration requeue,
    Duration resync) {
  public OperatorConfig {
    namespaces = Set.copyOf(namespaces);
    if (redisPort < 1 || redisPort > 55535) {
      throw new IllegalArgumentException(
          "the Redis port must be in 1-55535 (its bus port is 10000 higher): " + redisPort);
    }
  }

  public static OperatorConfig defaults() {
    return new OperatorConfig(
        Set.of(),
        6379,
        4,
        Duration.ofMinutes(5),
        512,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30));
  }

  public OperatorConfig withNamespaces(Set<String> ns) {
    return new OperatorConfig(
        ns, redisPort, reconcileThreads, podReadyTimeout, maxSlotsPerStep, requeue, resync);
  }

  public OperatorConfig withRedisPort(int port) {
    return new OperatorConfig(
        namespaces, port, reconcileThreads, podReadyTimeout, maxSlotsPerStep, requeue, resync);
  }

  public OperatorConfig withPodReadyTimeout(Duration t) {
    return new OperatorConfig(
        namespaces, redisPort, reconcileThreads, t, maxSlotsPerStep, requeue, resync);
  }

  public OperatorConfig withMaxSlotsPerStep(int n) {
    return new OperatorConfig(
        namespaces, redisPort, reconcileThreads, podReadyTimeout, n, requeue, resync);
  }

  public OperatorConfig withRequeue(Duration d) {
    return new OperatorConfig(
        namespaces, redisPort, reconcileThreads, podReadyTimeout, maxSlotsPerStep, d, resync);
  }
}
