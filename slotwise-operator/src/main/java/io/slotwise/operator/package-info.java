/** The Kubernetes operator: reconciles {@code RedisCluster} resources through the engine. */
package io.slotwise.operator;
