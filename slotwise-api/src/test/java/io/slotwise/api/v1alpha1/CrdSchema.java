package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The CRD's openAPIV3Schema as a JSON Schema (draft 4, which OpenAPI v3 schemas are based on),
 * validated with networknt. The conversion: {@code nullable} becomes a "null" type, {@code
 * x-kubernetes-int-or-string} an anyOf of integer and string, an object with properties and no
 * {@code x-kubernetes-preserve-unknown-fields} refuses unknown fields (what kubectl's strict field
 * validation does; the API server would prune them), and every other x-kubernetes-* keyword is
 * dropped (they are not JSON Schema; the CEL rules are checked by {@link CelRules}).
 */
final class CrdSchema {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Schema schema;
  private final JsonNode jsonSchema;

  CrdSchema(JsonNode openApiV3Schema) {
    ObjectNode converted = (ObjectNode) convert(openApiV3Schema);
    converted.put("$schema", "http://json-schema.org/draft-04/schema#");
    // The API server adds these to every CRD's schema.
    ObjectNode props = converted.with("properties");
    props.putIfAbsent("apiVersion", F.objectNode().put("type", "string"));
    props.putIfAbsent("kind", F.objectNode().put("type", "string"));
    props.putIfAbsent("metadata", F.objectNode().put("type", "object"));
    this.jsonSchema = converted;
    this.schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(converted.toString(), InputFormat.JSON);
  }

  static CrdSchema generated() {
    return new CrdSchema(Crds.openApiSchema());
  }

  JsonNode jsonSchema() {
    return jsonSchema;
  }

  /** The schema errors of a whole RedisCluster object, each "location keyword: message". */
  List<String> validate(JsonNode resource) {
    List<Error> errors = schema.validate(resource.toString(), InputFormat.JSON);
    return errors.stream()
        .map(e -> e.getInstanceLocation() + " " + e.getKeyword() + ": " + e.getMessage())
        .toList();
  }

  private static JsonNode convert(JsonNode node) {
    if (node.isArray()) {
      ArrayNode out = F.arrayNode();
      node.forEach(n -> out.add(convert(n)));
      return out;
    }
    if (!node.isObject()) {
      return node.deepCopy();
    }
    ObjectNode out = F.objectNode();
    boolean intOrString = node.path("x-kubernetes-int-or-string").asBoolean(false);
    boolean preserveUnknown = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      if (key.startsWith("x-kubernetes-") || key.equals("nullable")) {
        continue;
      }
      if (key.equals("properties")) {
        ObjectNode props = F.objectNode();
        f.getValue().fields().forEachRemaining(p -> props.set(p.getKey(), convert(p.getValue())));
        out.set(key, props);
      } else if (key.equals("default") || key.equals("enum") || key.equals("example")) {
        out.set(key, f.getValue().deepCopy());
      } else {
        out.set(key, convert(f.getValue()));
      }
    }
    if (intOrString && !out.has("anyOf")) {
      out.remove("type");
      ArrayNode anyOf = out.putArray("anyOf");
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
    }
    if (node.path("nullable").asBoolean(false) && out.has("type")) {
      ArrayNode types = F.arrayNode().add(out.get("type").asText()).add("null");
      out.set("type", types);
    }
    if ("object".equals(node.path("type").asText())
        && node.has("properties")
        && !node.has("additionalProperties")
        && !preserveUnknown) {
      out.put("additionalProperties", false);
    }
    return out;
  }
}
