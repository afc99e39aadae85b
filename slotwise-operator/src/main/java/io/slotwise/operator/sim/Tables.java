package io.slotwise.operator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code meta.k8s.io/v1} Table responses kubectl asks for ({@code Accept: ...;as=Table}), which
 * the mock store does not make: the columns of a CRD's {@code additionalPrinterColumns} (their
 * JSONPath evaluated here), and for the built-in kinds the usual columns of {@code kubectl get}.
 */
final class Tables {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** One column: its definition and how a cell is computed from an object. */
  record Column(
      String name, String type, String format, int priority, Function<JsonNode, Object> cell) {}

  private Tables() {}

  /** The columns kubectl prints for {@code kind}; {@code crdColumns} for custom resources. */
  static List<Column> columns(String kind, JsonNode crdColumns) {
    List<Column> out = new ArrayList<>();
    out.add(new Column("Name", "string", "name", 0, o -> text(o, ".metadata.name")));
    if (crdColumns != null && crdColumns.isArray() && !crdColumns.isEmpty()) {
      for (JsonNode c : crdColumns) {
        String path = c.path("jsonPath").asText();
        String type = c.path("type").asText("string");
        out.add(
            new Column(
                c.path("name").asText(),
                type,
                c.path("format").asText(""),
                c.path("priority").asInt(0),
                o -> cell(JsonPath.first(o, path), type)));
      }
      return out;
    }
    switch (kind) {
      case "Pod" -> {
        out.add(new Column("Ready", "string", "", 0, Tables::podReady));
        out.add(new Column("Status", "string", "", 0, Tables::podStatus));
        out.add(new Column("Restarts", "string", "", 0, Tables::podRestarts));
        out.add(age());
        out.add(new Column("IP", "string", "", 1, o -> text(o, ".status.podIP")));
        out.add(new Column("Node", "string", "", 1, o -> text(o, ".spec.nodeName")));
      }
      case "StatefulSet" -> {
        out.add(
            new Column(
                "Ready",
                "string",
                "",
                0,
                o ->
                    o.path("status").path("readyReplicas").asInt(0)
                        + "/"
                        + o.path("spec").path("replicas").asInt(1)));
        out.add(age());
      }
      case "Service" -> {
        out.add(new Column("Type", "string", "", 0, o -> text(o, ".spec.type", "ClusterIP")));
        out.add(new Column("Cluster-IP", "string", "", 0, o -> text(o, ".spec.clusterIP")));
        out.add(new Column("Port(s)", "string", "", 0, Tables::servicePorts));
        out.add(age());
      }
      case "PersistentVolumeClaim" -> {
        out.add(new Column("Status", "string", "", 0, o -> text(o, ".status.phase")));
        out.add(
            new Column(
                "Capacity", "string", "", 0, o -> text(o, ".spec.resources.requests.storage")));
        out.add(
            new Column("StorageClass", "string", "", 0, o -> text(o, ".spec.storageClassName")));
        out.add(age());
      }
      case "Event" -> {
        out.clear();
        out.add(
            new Column(
                "Last Seen",
                "string",
                "",
                0,
                o ->
                    since(
                        firstText(
                            o,
                            ".lastTimestamp",
                            ".eventTime",
                            ".firstTimestamp",
                            ".metadata.creationTimestamp"))));
        out.add(new Column("Type", "string", "", 0, o -> text(o, ".type")));
        out.add(new Column("Reason", "string", "", 0, o -> text(o, ".reason")));
        out.add(
            new Column(
                "Object",
                "string",
                "",
                0,
                o ->
                    text(o, ".involvedObject.kind").toLowerCase(Locale.ROOT)
                        + "/"
                        + text(o, ".involvedObject.name")));
        out.add(new Column("Message", "string", "", 0, o -> text(o, ".message")));
        out.add(new Column("Name", "string", "name", 1, o -> text(o, ".metadata.name")));
      }
      default -> out.add(age());
    }
    return out;
  }

  private static Column age() {
    return new Column(
        "Age", "date", "", 0, o -> since(text(o, ".metadata.creationTimestamp", null)));
  }

  /** A Table of {@code objects} (each row carries its object, or just its metadata). */
  static ObjectNode table(
      List<Column> columns, List<JsonNode> objects, String resourceVersion, boolean fullObjects) {
    ObjectNode t = F.objectNode();
    t.put("kind", "Table");
    t.put("apiVersion", "meta.k8s.io/v1");
    t.putObject("metadata").put("resourceVersion", resourceVersion);
    ArrayNode defs = t.putArray("columnDefinitions");
    for (Column c : columns) {
      ObjectNode d = defs.addObject();
      d.put("name", c.name());
      d.put("type", c.type().equals("date") ? "string" : c.type());
      d.put("format", c.format());
      d.put("description", c.name());
      d.put("priority", c.priority());
    }
    ArrayNode rows = t.putArray("rows");
    for (JsonNode o : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column c : columns) {
        Object v;
        try {
          v = c.cell().apply(o);
        } catch (RuntimeException e) {
          v = "";
        }
        if (v == null) {
          cells.addNull();
        } else if (v instanceof Long l) {
          cells.add(l);
        } else if (v instanceof Integer i) {
          cells.add(i);
        } else if (v instanceof Double d) {
          cells.add(d);
        } else if (v instanceof Boolean b) {
          cells.add(b);
        } else {
          cells.add(v.toString());
        }
      }
      if (fullObjects) {
        row.set("object", o);
      } else {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", o.path("metadata"));
      }
    }
    return t;
  }

  private static Object cell(JsonNode v, String type) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return null;
    }
    return switch (type) {
      case "integer" -> v.canConvertToLong() ? (Object) v.asLong() : v.asText();
      case "number" -> v.isNumber() ? (Object) v.asDouble() : v.asText();
      case "boolean" -> v.isBoolean() ? (Object) v.asBoolean() : v.asText();
      case "date" -> since(v.asText());
      default -> v.isValueNode() ? v.asText() : v.toString();
    };
  }

  private static String text(JsonNode o, String path) {
    return text(o, path, "");
  }

  private static String text(JsonNode o, String path, String otherwise) {
    JsonNode v = JsonPath.first(o, path);
    return v == null || v.isMissingNode() || v.isNull() ? otherwise : v.asText();
  }

  private static String firstText(JsonNode o, String... paths) {
    for (String p : paths) {
      String v = text(o, p, null);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }

  private static String podReady(JsonNode pod) {
    int total = pod.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode s : pod.path("status").path("containerStatuses")) {
      if (s.path("ready").asBoolean(false)) {
        ready++;
      }
    }
    return ready + "/" + total;
  }

  private static String podStatus(JsonNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return "Terminating";
    }
    for (JsonNode s : pod.path("status").path("containerStatuses")) {
      JsonNode waiting = s.path("state").path("waiting");
      if (waiting.hasNonNull("reason")) {
        return waiting.path("reason").asText();
      }
      JsonNode terminated = s.path("state").path("terminated");
      if (terminated.hasNonNull("reason")) {
        return terminated.path("reason").asText();
      }
    }
    return text(pod, ".status.phase", "Unknown");
  }

  private static String podRestarts(JsonNode pod) {
    long restarts = 0;
    for (JsonNode s : pod.path("status").path("containerStatuses")) {
      restarts += s.path("restartCount").asLong(0);
    }
    return Long.toString(restarts);
  }

  private static String servicePorts(JsonNode svc) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : svc.path("spec").path("ports")) {
      out.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
    }
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }

  /** kubectl's short ages: 45s, 3m20s, 12m, 5h3m, 20h, 2d4h, 30d, 2y. */
  static String since(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    Instant t;
    try {
      t = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
    return human(Duration.between(t, Instant.now()));
  }

  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      long rest = s % 60;
      return rest == 0 ? m + "m" : m + "m" + rest + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      long rest = m % 60;
      return rest == 0 ? h + "h" : h + "h" + rest + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    long days = h / 24;
    if (days < 8) {
      long rest = h % 24;
      return rest == 0 ? days + "d" : days + "d" + rest + "h";
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    return days / 365 + "y";
  }
}
