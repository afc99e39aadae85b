package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The x-kubernetes-validations rules of a CRD schema, compiled and evaluated with dev.cel the way
 * the API server does: {@code self} is the value at the rule's place (a rule whose place is absent
 * is not evaluated), a rule that uses {@code oldSelf} is a transition rule, evaluated only on an
 * update where the old object has a value at that place too. The environment has what the rules use
 * from the Kubernetes CEL library: the strings extension (lowerAscii) and the quantity functions
 * (quantity, isQuantity, compareTo, isLessThan, isGreaterThan), implemented here over fabric8's
 * Quantity; dev.cel itself does not have them.
 */
final class CelRules {

  /** One rule at its place in the schema; path segments are property names, "*" any entry. */
  record Rule(List<String> path, String rule, String message, boolean transition) {
    String where() {
      return path.isEmpty() ? "<root>" : String.join(".", path);
    }
  }

  /** A rule that did not hold (or failed to evaluate) at a concrete place of the object. */
  record Violation(String at, Rule rule, String detail) {
    @Override
    public String toString() {
      return at + ": " + rule.message() + (detail == null ? "" : " (" + detail + ")");
    }
  }

  static final CelType QUANTITY = OpaqueType.create("kubernetes.Quantity");
  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

  /** A parsed quantity, compared by its amount. */
  record Q(BigDecimal amount) {}

  static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .addLibraries(CelExtensions.strings())
          .addFunctionDeclarations(
              CelFunctionDecl.newFunctionDeclaration(
                  "quantity",
                  CelOverloadDecl.newGlobalOverload(
                      "quantity_string", QUANTITY, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isQuantity",
                  CelOverloadDecl.newGlobalOverload(
                      "isQuantity_string", SimpleType.BOOL, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isLessThan",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_isLessThan_quantity", SimpleType.BOOL, QUANTITY, QUANTITY)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isGreaterThan",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_isGreaterThan_quantity", SimpleType.BOOL, QUANTITY, QUANTITY)),
              CelFunctionDecl.newFunctionDeclaration(
                  "compareTo",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_compareTo_quantity", SimpleType.INT, QUANTITY, QUANTITY)))
          .build();

  static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .addLibraries(CelExtensions.strings())
          .addFunctionBindings(
              CelFunctionBinding.from("quantity_string", String.class, CelRules::quantity),
              CelFunctionBinding.from(
                  "isQuantity_string", String.class, s -> SpecValidator.bytes(s) != null),
              CelFunctionBinding.from(
                  "quantity_isLessThan_quantity",
                  Q.class,
                  Q.class,
                  (a, b) -> a.amount().compareTo(b.amount()) < 0),
              CelFunctionBinding.from(
                  "quantity_isGreaterThan_quantity",
                  Q.class,
                  Q.class,
                  (a, b) -> a.amount().compareTo(b.amount()) > 0),
              CelFunctionBinding.from(
                  "quantity_compareTo_quantity",
                  Q.class,
                  Q.class,
                  (a, b) -> (long) Integer.signum(a.amount().compareTo(b.amount()))))
          .build();

  private static Q quantity(String s) {
    // Like the Kubernetes library: an invalid quantity is an evaluation error.
    if (!Pattern.matches(
        "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$", s)) {
      throw new IllegalArgumentException("quantities must match the regular expression");
    }
    return new Q(Quantity.getAmountInBytes(new Quantity(s)));
  }

  private final List<Rule> rules;
  private final Map<String, CelRuntime.Program> programs = new HashMap<>();

  CelRules(JsonNode openApiV3Schema) {
    this.rules = new ArrayList<>();
    collect(openApiV3Schema, new ArrayList<>(), rules);
  }

  static CelRules generated() {
    return new CelRules(Crds.openApiSchema());
  }

  List<Rule> rules() {
    return rules;
  }

  /** Compiles one rule; the result names the errors when it does not compile to a bool. */
  static CelAbstractSyntaxTree compile(String rule) {
    CelValidationResult result = COMPILER.compile(rule);
    if (result.hasError()) {
      throw new IllegalArgumentException(
          "rule does not compile: " + rule + "\n" + result.getErrorString());
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      CelType type = ast.getResultType();
      if (!type.equals(SimpleType.BOOL) && !type.equals(SimpleType.DYN)) {
        throw new IllegalArgumentException("rule is not a bool but " + type + ": " + rule);
      }
      return ast;
    } catch (dev.cel.common.CelValidationException e) {
      throw new IllegalArgumentException("rule does not compile: " + rule, e);
    }
  }

  private CelRuntime.Program program(String rule) {
    return programs.computeIfAbsent(
        rule,
        r -> {
          try {
            return RUNTIME.createProgram(compile(r));
          } catch (dev.cel.runtime.CelEvaluationException e) {
            throw new IllegalArgumentException("no program for " + r, e);
          }
        });
  }

  /** The violations of a create (no transition rule runs). */
  List<Violation> check(JsonNode object) {
    return check(object, null);
  }

  /** The violations of an update from {@code old} to {@code object} (old null for a create). */
  List<Violation> check(JsonNode object, JsonNode old) {
    List<Violation> out = new ArrayList<>();
    Object self = toCel(object);
    Object oldSelf = old == null ? null : toCel(old);
    for (Rule rule : rules) {
      if (rule.transition() && oldSelf == null) {
        continue;
      }
      evaluate(rule, 0, "", self, oldSelf, out);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private void evaluate(
      Rule rule, int depth, String at, Object self, Object old, List<Violation> out) {
    if (self == null) {
      return;
    }
    if (depth == rule.path().size()) {
      if (rule.transition() && old == null) {
        return;
      }
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", self);
      if (old != null) {
        vars.put("oldSelf", old);
      }
      try {
        Object result = program(rule.rule()).eval(vars);
        if (!Boolean.TRUE.equals(result)) {
          out.add(new Violation(at.isEmpty() ? "<root>" : at, rule, null));
        }
      } catch (dev.cel.runtime.CelEvaluationException e) {
        out.add(new Violation(at.isEmpty() ? "<root>" : at, rule, "error: " + e.getMessage()));
      }
      return;
    }
    String seg = rule.path().get(depth);
    if (seg.equals("*")) {
      if (self instanceof Map<?, ?> map) {
        Map<String, Object> oldMap =
            old instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        map.forEach((k, v) -> evaluate(rule, depth + 1, at + "[" + k + "]", v, oldMap.get(k), out));
      } else if (self instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          evaluate(rule, depth + 1, at + "[" + i + "]", list.get(i), null, out);
        }
      }
      return;
    }
    if (self instanceof Map<?, ?> map) {
      Object oldChild = old instanceof Map<?, ?> m ? m.get(seg) : null;
      evaluate(rule, depth + 1, at.isEmpty() ? seg : at + "." + seg, map.get(seg), oldChild, out);
    }
  }

  private static void collect(JsonNode schema, List<String> path, List<Rule> out) {
    for (JsonNode v : schema.path("x-kubernetes-validations")) {
      String rule = v.path("rule").asText();
      out.add(
          new Rule(
              List.copyOf(path),
              rule,
              v.path("message").asText(rule),
              OLD_SELF.matcher(rule).find()));
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            p -> {
              path.add(p.getKey());
              collect(p.getValue(), path, out);
              path.remove(path.size() - 1);
            });
    for (String each : List.of("additionalProperties", "items")) {
      if (schema.path(each).isObject()) {
        path.add("*");
        collect(schema.path(each), path, out);
        path.remove(path.size() - 1);
      }
    }
  }

  /** JSON as CEL values: maps, lists, strings, booleans, int as long, double, null. */
  static Object toCel(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return null;
    }
    if (node.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(f -> map.put(f.getKey(), toCel(f.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(toCel(n)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }
}
