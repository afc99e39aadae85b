package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names, scope, subresource, printer columns and defaults of the generated CRD. */
class CrdShapeTest {

  private final JsonNode crd = Crds.generated();
  private final JsonNode version = crd.path("spec").path("versions").path(0);

  @Test
  void namesScopeAndVersion() {
    assertThat(crd.path("metadata").path("name").asText()).isEqualTo("redisclusters.slotwise.io");
    JsonNode spec = crd.path("spec");
    assertThat(spec.path("group").asText()).isEqualTo("slotwise.io");
    assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
    JsonNode names = spec.path("names");
    assertThat(names.path("kind").asText()).isEqualTo("RedisCluster");
    assertThat(names.path("plural").asText()).isEqualTo("redisclusters");
    assertThat(names.path("shortNames").toString()).isEqualTo("[\"rc\",\"redisc\"]");
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.path("served").asBoolean()).isTrue();
    assertThat(version.path("storage").asBoolean()).isTrue();
  }

  @Test
  void statusIsASubresource() {
    assertThat(version.path("subresources").has("status")).isTrue();
  }

  @Test
  void printerColumns() {
    List<String> columns = new ArrayList<>();
    version
        .path("additionalPrinterColumns")
        .forEach(c -> columns.add(c.path("name").asText() + "=" + c.path("jsonPath").asText()));
    assertThat(columns)
        .containsExactlyInAnyOrder(
            "Shards=.spec.shards",
            "Ready=.status.conditions[?(@.type==\"Ready\")].status",
            "Status=.status.summary",
            "Operation=.status.operation.type",
            "Age=.metadata.creationTimestamp");
  }

  @Test
  void schemaDefaultsMinimaAndEnum() {
    JsonNode spec = Crds.openApiSchema().path("properties").path("spec").path("properties");
    assertThat(spec.path("shards").path("default").asInt()).isEqualTo(3);
    assertThat(spec.path("shards").path("minimum").asInt()).isEqualTo(1);
    assertThat(spec.path("replicasPerShard").path("default").asInt()).isEqualTo(1);
    assertThat(spec.path("replicasPerShard").path("minimum").asInt()).isEqualTo(0);
    assertThat(spec.path("image").path("default").asText()).isEqualTo("redis:7.2");
    assertThat(spec.path("scaleDownPolicy").path("default").asText()).isEqualTo("Keep");
    assertThat(spec.path("scaleDownPolicy").path("enum").toString())
        .isEqualTo("[\"Delete\",\"Keep\"]");
    assertThat(spec.path("auth").path("properties").path("enabled").path("default").asBoolean())
        .isTrue();
    assertThat(spec.path("exporter").path("properties").path("image").path("default").asText())
        .isEqualTo(Exporter.DEFAULT_IMAGE);
    assertThat(spec.path("storage").path("properties").path("size").has("pattern")).isTrue();
  }

  @Test
  void anEmptyOrAbsentSpecIsDefaultedByTheApiServer() {
    for (String yaml :
        List.of(
            "apiVersion: slotwise.io/v1alpha1\nkind: RedisCluster\nmetadata:\n  name: t\n",
            "apiVersion: slotwise.io/v1alpha1\nkind: RedisCluster\nmetadata:\n  name: t\nspec: {}\n",
            "apiVersion: slotwise.io/v1alpha1\nkind: RedisCluster\nmetadata:\n  name: t\n"
                + "spec:\n  auth: {}\n")) {
      JsonNode spec = Defaulting.apply(Crds.openApiSchema(), Admission.yaml(yaml)).path("spec");
      assertThat(spec.path("shards").asInt()).as(yaml).isEqualTo(3);
      assertThat(spec.path("replicasPerShard").asInt()).as(yaml).isEqualTo(1);
      assertThat(spec.path("image").asText()).as(yaml).isEqualTo("redis:7.2");
      assertThat(spec.path("auth").path("enabled").isBoolean()).as(yaml).isTrue();
      assertThat(spec.path("auth").path("enabled").asBoolean()).as(yaml).isTrue();
      assertThat(spec.path("scaleDownPolicy").asText()).as(yaml).isEqualTo("Keep");
      assertThat(Admission.create(Admission.yaml(yaml)).all()).as(yaml).isEmpty();
    }
  }
}
