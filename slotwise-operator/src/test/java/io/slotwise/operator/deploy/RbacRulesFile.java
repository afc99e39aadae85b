package io.slotwise.operator.deploy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * deploy/rbac-rules.txt: every permission the chart grants the operator, one "group resource verb"
 * a line in two sections. Public for the operator's end-to-end tests, which are to compare the API
 * calls they record with it ({@link #line} writes a recorded call the same way).
 */
public final class RbacRulesFile {
  /** The file, relative to the repository root. */
  public static final String PATH = "deploy/rbac-rules.txt";

  /** Granted in every watched namespace (a ClusterRole when all are watched). */
  public static final String WATCHED_NAMESPACES = "watched-namespaces";

  /** Granted in the operator's own namespace when leader election is on (the Lease). */
  public static final String LEADER_ELECTION = "leader-election";

  private RbacRulesFile() {}

  /**
   * One permission as the file writes it: the core group as "core", a subresource after a slash,
   * e.g. {@code line("", "pods", "delete")} is "core pods delete" and {@code line("slotwise.io",
   * "redisclusters/status", "patch")} is "slotwise.io redisclusters/status patch".
   */
  public static String line(String apiGroup, String resource, String verb) {
    return (apiGroup == null || apiGroup.isEmpty() ? "core" : apiGroup)
        + " "
        + resource
        + " "
        + verb;
  }

  /** The lines of one section, sorted. */
  public static Set<String> section(String name) {
    Set<String> lines = read().get(name);
    if (lines == null) {
      throw new IllegalArgumentException(PATH + " has no section [" + name + "]");
    }
    return Collections.unmodifiableSet(lines);
  }

  /** Every section by name, in file order; refuses a malformed or duplicated line. */
  static Map<String, TreeSet<String>> read() {
    Map<String, TreeSet<String>> sections = new LinkedHashMap<>();
    TreeSet<String> current = null;
    List<String> lines =
        RepositoryFiles.read(RepositoryFiles.root().resolve(PATH)).lines().toList();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = new TreeSet<>();
        if (sections.put(line.substring(1, line.length() - 1), current) != null) {
          throw new IllegalStateException(PATH + ": section listed twice: " + raw);
        }
        continue;
      }
      if (current == null || line.split(" ").length != 3) {
        throw new IllegalStateException(
            PATH + ": not \"group resource verb\" in a section: " + raw);
      }
      if (!current.add(line)) {
        throw new IllegalStateException(PATH + ": listed twice: " + raw);
      }
    }
    return sections;
  }
}
