package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CEL rules of the generated CRD: they compile, and bad transitions are refused by them. */
class CelRulesTest {

  private final CelRules rules = CelRules.generated();

  @Test
  void everyRuleOfTheCrdCompilesToABool() {
    assertThat(rules.rules()).hasSizeGreaterThanOrEqualTo(9);
    for (CelRules.Rule rule : rules.rules()) {
      CelRules.compile(rule.rule()); // throws with CEL's error text when it does not compile
    }
  }

  @Test
  void aRuleThatDoesNotCompileIsCaught() {
    assertThatThrownBy(() -> CelRules.compile("self.shards >")).hasMessageContaining("compile");
    assertThatThrownBy(() -> CelRules.compile("self.noSuchFunction()"))
        .hasMessageContaining("compile");
    assertThatThrownBy(() -> CelRules.compile("'a string'")).hasMessageContaining("not a bool");
  }

  @Test
  void theRulesAreWhereTheyBelong() {
    List<String> where =
        rules.rules().stream()
            .map(r -> r.where() + (r.transition() ? " (transition)" : ""))
            .toList();
    assertThat(where)
        .containsExactlyInAnyOrder(
            "spec (transition)",
            "spec (transition)",
            "spec.config",
            "spec.pod.labels",
            "spec.replicasPerShard",
            "spec.shards",
            "spec.storage",
            "spec.storage (transition)",
            "spec.storage (transition)");
  }

  @Test
  void theOwnedDirectiveListInTheRuleIsTheJavaList() throws Exception {
    Object list =
        CelRules.RUNTIME
            .createProgram(
                CelRules.COMPILER.compile(RedisClusterSpec.OWNED_DIRECTIVES_CEL).getAst())
            .eval();
    assertThat(list).isEqualTo(RedisClusterSpec.OWNED_DIRECTIVES);
    assertThat(RedisClusterSpec.OWNED_DIRECTIVE_PREFIXES).containsExactly("tls-");
  }

  private static List<String> refusedBy(String oldSpec, String newSpec) {
    JsonNode old = Admission.withSpec(oldSpec);
    JsonNode now = Admission.withSpec(newSpec);
    Admission.Outcome outcome = Admission.update(old, now);
    assertThat(outcome.schemaErrors()).isEmpty();
    return outcome.ruleViolations().stream().map(v -> v.rule().message()).toList();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{}                                   | {storage: {size: 1Gi}}                 | storage cannot switch",
        "{storage: {ephemeral: true}}         | {storage: {size: 1Gi}}                 | storage cannot switch",
        "{storage: {size: 1Gi}}               | {}                                     | storage cannot switch",
        "{storage: {size: 1Gi}}               | {storage: {size: 1Gi, ephemeral: true}} | storage cannot switch",
        "{storage: {size: 2Gi}}               | {storage: {size: 1Gi}}                 | storage.size cannot shrink",
        "{storage: {size: 1Gi}}               | {storage: {size: 1000Mi}}              | storage.size cannot shrink",
        "{storage: {size: 1Gi}}               | {storage: {size: 1G}}                  | storage.size cannot shrink",
        "{storage: {size: 1Gi, storageClassName: a}} | {storage: {size: 1Gi, storageClassName: b}} | storage.storageClassName cannot be changed",
        "{storage: {size: 1Gi, storageClassName: a}} | {storage: {size: 1Gi}}                | storage.storageClassName cannot be changed",
        "{storage: {size: 1Gi}}               | {storage: {size: 1Gi, storageClassName: a}} | storage.storageClassName cannot be changed",
        "{auth: {secretName: a}}              | {auth: {secretName: b}}                | auth.secretName cannot be changed",
        "{auth: {secretName: a}}              | {auth: {enabled: true}}                | auth.secretName cannot be changed",
        "{auth: {secretName: a}}              | {}                                     | auth.secretName cannot be changed",
        "{}                                   | {auth: {secretName: a}}                | auth.secretName cannot be changed",
      })
  void aBadTransitionIsRefusedByItsRule(String oldSpec, String newSpec, String message) {
    assertThat(refusedBy(oldSpec, newSpec)).singleElement().asString().startsWith(message);
    // the new spec alone is fine: only the change is refused
    assertThat(Admission.create(Admission.withSpec(newSpec)).all()).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{}                                   | {shards: 6, replicasPerShard: 0}",
        "{}                                   | {storage: {ephemeral: true}}",
        "{storage: {size: 1Gi}}               | {storage: {size: 2Gi}}",
        "{storage: {size: 1Gi}}               | {storage: {size: 1024Mi}}",
        "{storage: {size: 1Gi, storageClassName: a}} | {storage: {size: 5Gi, storageClassName: a}}",
        "{auth: {secretName: a}}              | {auth: {secretName: a, enabled: true}}",
        "{}                                   | {auth: {enabled: false}}",
        "{image: 'redis:7.2'}                 | {image: 'valkey/valkey:8.0'}",
      })
  void aGoodTransitionPasses(String oldSpec, String newSpec) {
    assertThat(refusedBy(oldSpec, newSpec)).isEmpty();
  }

  @Test
  void theQuantityFunctionsBehaveLikeKubernetes() throws CelEvaluationException {
    assertThat(eval("quantity('1Gi').isLessThan(quantity('2Gi'))")).isEqualTo(true);
    assertThat(eval("quantity('1Gi').isGreaterThan(quantity('1G'))")).isEqualTo(true);
    assertThat(eval("quantity('1024Mi').compareTo(quantity('1Gi')) == 0")).isEqualTo(true);
    assertThat(eval("quantity('1Mi').compareTo(quantity('1Gi')) == -1")).isEqualTo(true);
    assertThat(eval("isQuantity('big')")).isEqualTo(false);
    assertThatThrownBy(() -> eval("quantity('big').isLessThan(quantity('1Gi'))"))
        .isInstanceOf(CelEvaluationException.class);
  }

  private static Object eval(String expr) throws CelEvaluationException {
    return CelRules.RUNTIME.createProgram(CelRules.compile(expr)).eval(java.util.Map.of());
  }
}
