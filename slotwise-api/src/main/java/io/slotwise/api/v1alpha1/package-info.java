/**
 * The {@code RedisCluster} custom resource, group {@code slotwise.io}, version {@code v1alpha1}.
 */
package io.slotwise.api.v1alpha1;
