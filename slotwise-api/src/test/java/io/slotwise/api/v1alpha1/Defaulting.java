package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Structural defaulting as the API server does it: a property absent from an object that is present
 * gets the schema's default, then its own properties are defaulted in turn.
 */
final class Defaulting {

  private Defaulting() {}

  static JsonNode apply(JsonNode schema, JsonNode value) {
    JsonNode copy = value.deepCopy();
    walk(schema, copy);
    return copy;
  }

  private static void walk(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      ObjectNode obj = (ObjectNode) value;
      schema
          .path("properties")
          .fields()
          .forEachRemaining(
              p -> {
                if (!obj.has(p.getKey()) && p.getValue().has("default")) {
                  obj.set(p.getKey(), p.getValue().get("default").deepCopy());
                }
                if (obj.has(p.getKey())) {
                  walk(p.getValue(), obj.get(p.getKey()));
                }
              });
      JsonNode additional = schema.path("additionalProperties");
      if (additional.isObject()) {
        obj.fields().forEachRemaining(f -> walk(additional, f.getValue()));
      }
    } else if (value.isArray() && schema.path("items").isObject()) {
      value.forEach(v -> walk(schema.path("items"), v));
    }
  }
}
