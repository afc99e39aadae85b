package io.slotwise.engine.observe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link ClusterView}s from {@code CLUSTER NODES} text, for tests of code that reads views.
 *
 * <p>Tables are written once, as the cluster sees itself, without {@code myself}. In the text,
 * short names such as {@code P1}, {@code R2} or {@code G1} stand for node ids ({@link #id}), so
 * {@code "R1 127.0.0.1:30004@40004 slave P1 0 0 1 connected"} reads as it means. Every addressed,
 * non-handshake line is a node that reports; what it reports is the table with {@code myself} on
 * its own line and open-slot markers ({@code [93->-P2]}) kept only there, as Redis prints it.
 * Reports default to a healthy node: {@code cluster_state:ok}, replication link up.
 */
public final class ViewFixtures {
  public static final String P1 = id("P1");
  public static final String P2 = id("P2");
  public static final String P3 = id("P3");
  public static final String R1 = id("R1");
  public static final String R2 = id("R2");
  public static final String R3 = id("R3");

  /**
   * Three shards, one replica each: {@code P1..P3} on ports 30001-30003, {@code Rn} replicates
   * {@code Pn}.
   */
  public static final String HEALTHY_3X1 =
      """
      P1 127.0.0.1:30001@40001 master - 0 1700000000000 1 connected 0-5460
      P2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922
      P3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
      R1 127.0.0.1:30004@40004 slave P1 0 1700000000000 1 connected
      R2 127.0.0.1:30005@40005 slave P2 0 1700000000000 2 connected
      R3 127.0.0.1:30006@40006 slave P3 0 1700000000000 3 connected
      """;

  private static final Pattern NAME = Pattern.compile("\\b([A-Z][0-9]{1,2})\\b");

  private ViewFixtures() {}

  /** A stable, realistic 40-hex node id for a short name: the SHA-1 of the name. */
  public static String id(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text with every short name replaced by its id. */
  public static String withIds(String text) {
    Matcher m = NAME.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, id(m.group(1)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The records of a table as node {@code reporterId} prints it. */
  public static List<NodeRecord> asSeenBy(String reporterId, String table) {
    List<NodeRecord> out = new ArrayList<>();
    for (String line : withIds(table).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" +");
      StringBuilder sb = new StringBuilder();
      boolean own = f[0].equals(reporterId);
      for (int i = 0; i < f.length; i++) {
        String field = f[i];
        if (i == 2 && own && !field.contains("myself")) {
          field = "myself," + field;
        } else if (i == 2 && !own) {
          field = field.replace("myself,", "");
        }
        if (i >= 8 && field.startsWith("[") && !own) {
          continue;
        }
        sb.append(i == 0 ? "" : " ").append(field);
      }
      out.add(NodeRecord.parse(sb.toString()));
    }
    return out;
  }

  /** A view in which every node of the table reports the table, all healthy. */
  public static ClusterView view(String table) {
    return cluster(table).build();
  }

  public static ClusterView healthy3x1() {
    return view(HEALTHY_3X1);
  }

  public static Builder cluster(String table) {
    return new Builder(table);
  }

  /** Adjusts what single nodes report before building the view. */
  public static final class Builder {
    private final String table;
    private final Map<String, String> tables = new HashMap<>();
    private final Map<String, Map<String, String>> clusterInfo = new HashMap<>();
    private final Map<String, Map<String, String>> replication = new HashMap<>();
    private final Map<String, Long> keys = new HashMap<>();
    private final Set<String> unreachable = new HashSet<>();
    private final Set<String> absent = new HashSet<>();

    private Builder(String table) {
      this.table = table;
    }

    /** What node {@code id} prints for {@code CLUSTER NODES}, instead of the shared table. */
    public Builder seenBy(String id, String table) {
      tables.put(resolve(id), table);
      return this;
    }

    public Builder clusterInfo(String id, String key, String value) {
      clusterInfo.computeIfAbsent(resolve(id), k -> new HashMap<>()).put(key, value);
      return this;
    }

    public Builder replication(String id, String key, String value) {
      replication.computeIfAbsent(resolve(id), k -> new HashMap<>()).put(key, value);
      return this;
    }

    public Builder keys(String id, long count) {
      keys.put(resolve(id), count);
      return this;
    }

    /** The node was asked and did not answer. */
    public Builder unreachable(String id) {
      unreachable.add(resolve(id));
      return this;
    }

    /** The node was not asked at all (not among the addresses the observer was given). */
    public Builder absent(String id) {
      absent.add(resolve(id));
      return this;
    }

    public ClusterView build() {
      List<NodeRecord> shared = asSeenBy("", table);
      Map<String, NodeRecord> byId = new LinkedHashMap<>();
      shared.forEach(r -> byId.put(r.id(), r));
      List<NodeReport> reports = new ArrayList<>();
      for (NodeRecord node : shared) {
        if (node.handshake() || node.address() == null || absent.contains(node.id())) {
          continue;
        }
        if (unreachable.contains(node.id())) {
          reports.add(
              NodeReport.unreachable(node.address(), node.address() + ": connection refused"));
          continue;
        }
        List<NodeRecord> known = asSeenBy(node.id(), tables.getOrDefault(node.id(), table));
        NodeRecord self =
            known.stream()
                .filter(NodeRecord::myself)
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "table of " + node.id() + " has no line of its own"));
        Map<String, String> info =
            new HashMap<>(
                Map.of("cluster_state", "ok", "cluster_known_nodes", String.valueOf(known.size())));
        info.putAll(clusterInfo.getOrDefault(node.id(), Map.of()));
        Map<String, String> repl = new HashMap<>(defaultReplication(self, known));
        repl.putAll(replication.getOrDefault(node.id(), Map.of()));
        reports.add(
            new NodeReport(
                node.address(),
                known,
                info,
                repl,
                keys.getOrDefault(node.id(), 0L),
                1_000_000L,
                null));
      }
      return new ClusterView(reports);
    }

    private static Map<String, String> defaultReplication(NodeRecord self, List<NodeRecord> known) {
      Map<String, String> repl = new HashMap<>();
      if (self.replica()) {
        repl.put("role", "slave");
        known.stream()
            .filter(r -> r.id().equals(self.primaryId()))
            .findFirst()
            .map(NodeRecord::address)
            .ifPresent(
                a -> {
                  repl.put("master_host", a.host());
                  repl.put("master_port", String.valueOf(a.port()));
                });
        repl.put("master_link_status", "up");
        repl.put("slave_repl_offset", "1000");
        repl.put("master_repl_offset", "1000");
      } else {
        repl.put("role", "master");
        long replicas =
            known.stream().filter(r -> r.replica() && self.id().equals(r.primaryId())).count();
        repl.put("connected_slaves", String.valueOf(replicas));
        repl.put("master_repl_offset", "1000");
      }
      return repl;
    }

    private static String resolve(String idOrName) {
      return NAME.matcher(idOrName).matches() ? id(idOrName) : idOrName;
    }
  }
}
