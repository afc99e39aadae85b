package io.slotwise.operator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Kubernetes JSONPath that printer columns use: {@code .a.b}, {@code .a[0]}, {@code
 * .a[*].b} and filters {@code .a[?(@.k=="v")].b} (also {@code !=}); an optional surrounding {@code
 * {...}}. Anything else matches nothing.
 */
final class JsonPath {
  private JsonPath() {}

  /** The first value {@code path} selects in {@code root}, or a missing node. */
  static JsonNode first(JsonNode root, String path) {
    List<JsonNode> all = all(root, path);
    return all.isEmpty() ? MissingNode.getInstance() : all.get(0);
  }

  static List<JsonNode> all(JsonNode root, String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1).trim();
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    List<JsonNode> current = new ArrayList<>(List.of(root));
    int i = 0;
    while (i < p.length() && !current.isEmpty()) {
      char c = p.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
          end++;
        }
        String field = p.substring(i + 1, end);
        List<JsonNode> next = new ArrayList<>();
        for (JsonNode n : current) {
          JsonNode v = n.get(field);
          if (v != null) {
            next.add(v);
          }
        }
        current = next;
        i = end;
      } else if (c == '[') {
        int end = closing(p, i);
        if (end < 0) {
          return List.of();
        }
        current = bracket(current, p.substring(i + 1, end).trim());
        i = end + 1;
      } else {
        return List.of();
      }
    }
    return current;
  }

  private static int closing(String p, int open) {
    boolean quoted = false;
    char quote = 0;
    int depth = 0;
    for (int i = open; i < p.length(); i++) {
      char c = p.charAt(i);
      if (quoted) {
        if (c == quote) {
          quoted = false;
        }
      } else if (c == '"' || c == '\'') {
        quoted = true;
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static List<JsonNode> bracket(List<JsonNode> current, String inside) {
    List<JsonNode> next = new ArrayList<>();
    if (inside.equals("*")) {
      for (JsonNode n : current) {
        n.elements().forEachRemaining(next::add);
      }
      return next;
    }
    if (inside.startsWith("?(") && inside.endsWith(")")) {
      String expr = inside.substring(2, inside.length() - 1).trim();
      boolean negate = expr.contains("!=");
      String[] parts = expr.split(negate ? "!=" : "==", 2);
      if (parts.length != 2 || !parts[0].trim().startsWith("@")) {
        return List.of();
      }
      String left = parts[0].trim().substring(1);
      String right = unquote(parts[1].trim());
      for (JsonNode n : current) {
        for (JsonNode e : n) {
          JsonNode v = first(e, left);
          boolean equal = !v.isMissingNode() && v.asText().equals(right);
          if (equal != negate) {
            next.add(e);
          }
        }
      }
      return next;
    }
    if (inside.matches("-?\\d+")) {
      int index = Integer.parseInt(inside);
      for (JsonNode n : current) {
        int at = index < 0 ? n.size() + index : index;
        if (n.isArray() && at >= 0 && at < n.size()) {
          next.add(n.get(at));
        }
      }
      return next;
    }
    String field = unquote(inside);
    for (JsonNode n : current) {
      JsonNode v = n.get(field);
      if (v != null) {
        next.add(v);
      }
    }
    return next;
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
