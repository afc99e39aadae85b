package io.slotwise.operator.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * A stand-in for the RedisCluster CRD (same group, version, names, status subresource, one schema
 * rule and one default) until the generated one is committed under deploy/crds.
 */
final class TestCrd {
  static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("slotwise.io")
          .withVersion("v1alpha1")
          .withKind("RedisCluster")
          .withPlural("redisclusters")
          .withNamespaced(true)
          .build();

  private TestCrd() {}

  static CustomResourceDefinition redisCluster() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("redisclusters.slotwise.io")
        .endMetadata()
        .withNewSpec()
        .withGroup("slotwise.io")
        .withScope("Namespaced")
        .withNewNames()
        .withKind("RedisCluster")
        .withPlural("redisclusters")
        .withSingular("rediscluster")
        .withShortNames("rc", "redisc")
        .endNames()
        .addNewVersion()
        .withName("v1alpha1")
        .withServed(true)
        .withStorage(true)
        .withNewSubresources()
        .withNewStatus()
        .endStatus()
        .endSubresources()
        .withNewSchema()
        .withOpenAPIV3Schema(
            new JSONSchemaPropsBuilder()
                .withType("object")
                .addToProperties(
                    "spec",
                    new JSONSchemaPropsBuilder()
                        .withType("object")
                        .addToProperties(
                            "shards",
                            new JSONSchemaPropsBuilder()
                                .withType("integer")
                                .withMinimum(1.0)
                                .withDefault(Serialization.jsonMapper().valueToTree(3))
                                .build())
                        .build())
                .addToProperties(
                    "status",
                    new JSONSchemaPropsBuilder()
                        .withType("object")
                        .withXKubernetesPreserveUnknownFields(true)
                        .build())
                .build())
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  static GenericKubernetesResource cluster(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("slotwise.io/v1alpha1")
        .withKind("RedisCluster")
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .addToAdditionalProperties("spec", spec)
        .build();
  }
}
