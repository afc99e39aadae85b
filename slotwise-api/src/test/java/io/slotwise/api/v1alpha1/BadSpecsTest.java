package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad specs are refused by the generated CRD, each for its own reason. */
class BadSpecsTest {

  private static List<String> schemaErrors(String spec) {
    return Admission.create(Admission.withSpec(spec)).schemaErrors();
  }

  private static List<String> ruleMessages(String spec) {
    return Admission.create(Admission.withSpec(spec)).ruleViolations().stream()
        .map(v -> v.rule().message())
        .toList();
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{shards: 0}                              | /spec/shards              | minimum",
        "{shards: -3}                             | /spec/shards              | minimum",
        "{replicasPerShard: -1}                   | /spec/replicasPerShard    | minimum",
        "{shards: three}                          | /spec/shards              | type",
        "{shards: 1.5}                            | /spec/shards              | type",
        "{scaleDownPolicy: Archive}               | /spec/scaleDownPolicy     | enum",
        "{scaleDownPolicy: keep}                  | /spec/scaleDownPolicy     | enum",
        "{storage: {size: big}}                   | /spec/storage/size        | pattern",
        "{storage: {size: 1GB}}                   | /spec/storage/size        | pattern",
        "{storage: {size: -1Gi}}                  | /spec/storage/size        | pattern",
        "{image: 'redis 7'}                       | /spec/image               | pattern",
        "{image: ''}                              | /spec/image               | pattern",
        "{auth: {secretName: My_Secret}}          | /spec/auth/secretName     | pattern",
        "{auth: {enabled: maybe}}                 | /spec/auth/enabled        | type",
        "{config: {maxmemory: 100}}               | /spec/config/maxmemory    | type",
        "{replicas: 2}                            | /spec                     | additionalProperties",
        "{storage: {size: 1Gi, class: fast}}      | /spec/storage             | additionalProperties",
      })
  void theSchemaRefuses(String spec, String location, String keyword) {
    List<String> errors = schemaErrors(spec);
    assertThat(errors).as(spec).isNotEmpty();
    assertThat(errors).as(spec).allMatch(e -> e.startsWith(location + " " + keyword + ":"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "requirepass",
        "port",
        "cluster-enabled",
        "masterauth",
        "dir",
        "cluster-announce-ip",
        "tls-port",
        "RequirePass"
      })
  void theConfigRuleRefusesOwnedDirectives(String key) {
    String spec = "{config: {maxmemory: 1gb, " + key + ": x}}";
    assertThat(schemaErrors(spec)).isEmpty();
    assertThat(ruleMessages(spec))
        .singleElement()
        .asString()
        .startsWith("config may not set directives owned by Slotwise");
  }

  @Test
  void everyOwnedDirectiveIsRefusedByTheRule() {
    for (String key : RedisClusterSpec.OWNED_DIRECTIVES) {
      assertThat(ruleMessages("{config: {" + key + ": x}}")).as(key).hasSize(1);
    }
  }

  @Test
  void shardsAndReplicasHaveRulesToo() {
    // the schema refuses them first; the rules say the same for servers that run CEL only
    assertThat(ruleMessages("{shards: 0}")).containsExactly("shards must be at least 1");
    assertThat(ruleMessages("{replicasPerShard: -1}"))
        .containsExactly("replicasPerShard must be 0 or more");
  }

  @Test
  void persistentStorageWithoutASizeIsRefusedByARule() {
    assertThat(schemaErrors("{storage: {storageClassName: fast}}")).isEmpty();
    assertThat(ruleMessages("{storage: {storageClassName: fast}}"))
        .containsExactly(
            "storage.size is required unless storage.ephemeral is true (e.g. size: 1Gi)");
    assertThat(Admission.create(Admission.withSpec("{storage: {ephemeral: true}}")).all())
        .isEmpty();
  }

  @Test
  void operatorPodLabelsAreRefusedByARule() {
    assertThat(ruleMessages("{pod: {labels: {app.kubernetes.io/instance: x}}}"))
        .singleElement()
        .asString()
        .startsWith("pod.labels may not set");
    assertThat(ruleMessages("{pod: {labels: {slotwise.io/shard: '0'}}}")).hasSize(1);
    assertThat(ruleMessages("{pod: {labels: {team: cache}}}")).isEmpty();
  }

  @Test
  void freeDirectivesPass() {
    assertThat(
            Admission.create(
                    Admission.withSpec(
                        "{config: {maxmemory: 1gb, appendonly: 'yes', cluster-node-timeout: '5000'}}"))
                .all())
        .isEmpty();
  }
}
