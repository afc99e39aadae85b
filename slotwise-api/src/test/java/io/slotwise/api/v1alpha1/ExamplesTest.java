package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in examples/ is admitted by the generated CRD and accepted by SpecValidator. */
class ExamplesTest {

  static Stream<Path> examples() throws IOException {
    Path dir = Crds.repoRoot().resolve("examples");
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void theExamplesAreThere() throws IOException {
    assertThat(examples().map(p -> p.getFileName().toString()))
        .contains("minimal.yaml", "persistent.yaml", "valkey.yaml", "production.yaml");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void theSchemaAndEveryRuleAdmitTheExample(Path file) {
    JsonNode object = Crds.readYaml(file);
    Admission.Outcome created = Admission.create(object);
    assertThat(created.all()).as(file.toString()).isEmpty();
    // an update that changes nothing passes the transition rules
    assertThat(Admission.update(object, object).all()).as(file.toString()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void theJavaValidatorAcceptsTheExample(Path file) throws IOException {
    RedisCluster rc = Serialization.unmarshal(Files.readString(file), RedisCluster.class);
    assertThat(rc.getMetadata().getName()).isNotBlank();
    assertThat(SpecValidator.validate(rc.getSpec())).as(file.toString()).isEmpty();
    assertThat(SpecValidator.validateUpdate(rc.getSpec(), rc.getSpec())).isEmpty();
  }

  @Test
  void theExamplesSayWhatTheyShow() throws IOException {
    RedisClusterSpec valkey =
        Serialization.unmarshal(
                Files.readString(Crds.repoRoot().resolve("examples/valkey.yaml")),
                RedisCluster.class)
            .getSpec();
    assertThat(valkey.getImage()).isEqualTo("valkey/valkey:8.0");
    RedisClusterSpec prod =
        Serialization.unmarshal(
                Files.readString(Crds.repoRoot().resolve("examples/production.yaml")),
                RedisCluster.class)
            .getSpec();
    assertThat(prod.persistent()).isTrue();
    assertThat(prod.exporterEnabled()).isTrue();
    assertThat(prod.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(prod.getPod().getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(prod.getPod().getTopologySpreadConstraints()).isNotEmpty();
    assertThat(prod.getAuth().getSecretName()).isEqualTo("cache-password");
    RedisClusterSpec persistent =
        Serialization.unmarshal(
                Files.readString(Crds.repoRoot().resolve("examples/persistent.yaml")),
                RedisCluster.class)
            .getSpec();
    assertThat(persistent.persistent()).isTrue();
    RedisClusterSpec minimal =
        Serialization.unmarshal(
                Files.readString(Crds.repoRoot().resolve("examples/minimal.yaml")),
                RedisCluster.class)
            .getSpec();
    assertThat(List.of(minimal.getShards(), minimal.getReplicasPerShard())).containsExactly(3, 1);
  }
}
