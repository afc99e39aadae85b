package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the API server does with a RedisCluster under the generated CRD, in the order it does it:
 * defaulting, the structural schema, then the CEL rules (transition rules on an update).
 */
final class Admission {

  record Outcome(List<String> schemaErrors, List<CelRules.Violation> ruleViolations) {
    boolean admitted() {
      return schemaErrors.isEmpty() && ruleViolations.isEmpty();
    }

    List<String> all() {
      List<String> all = new ArrayList<>(schemaErrors);
      ruleViolations.forEach(v -> all.add(v.toString()));
      return all;
    }
  }

  static final JsonNode SCHEMA = Crds.openApiSchema();
  static final CrdSchema STRUCTURAL = new CrdSchema(SCHEMA);
  static final CelRules RULES = new CelRules(SCHEMA);

  private Admission() {}

  static JsonNode yaml(String text) {
    try {
      return Crds.YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A RedisCluster named "t" with the given spec (YAML, indented or flow). */
  static JsonNode withSpec(String specYaml) {
    return yaml(
        "apiVersion: slotwise.io/v1alpha1\nkind: RedisCluster\nmetadata:\n  name: t\nspec: "
            + specYaml
            + "\n");
  }

  static Outcome create(JsonNode object) {
    JsonNode defaulted = Defaulting.apply(SCHEMA, object);
    List<String> schemaErrors = STRUCTURAL.validate(defaulted);
    return new Outcome(
        schemaErrors, schemaErrors.isEmpty() ? RULES.check(defaulted) : RULES.check(defaulted));
  }

  static Outcome update(JsonNode old, JsonNode object) {
    JsonNode oldDefaulted = Defaulting.apply(SCHEMA, old);
    JsonNode defaulted = Defaulting.apply(SCHEMA, object);
    return new Outcome(STRUCTURAL.validate(defaulted), RULES.check(defaulted, oldDefaulted));
  }
}
