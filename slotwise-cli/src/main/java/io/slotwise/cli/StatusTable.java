package io.slotwise.cli;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Renders a cluster as a table: one row a node, grouped by shard, primaries first. */
final class StatusTable {
  private StatusTable() {}

  static String render(ClusterView view) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SHARD", "NODE", "ROLE", "ADDRESS", "SLOTS", "KEYS", "STATE"});
    List<ClusterView.Shard> shards = new ArrayList<>(view.shards());
    shards.sort(
        Comparator.comparingInt(
            (ClusterView.Shard s) ->
                s.primary().self().slots().isEmpty()
                    ? Integer.MAX_VALUE
                    : s.primary().self().slots().toArray()[0]));
    int n = 0;
    for (ClusterView.Shard s : shards) {
      NodeRecord p = s.primary().self();
      String shard = Integer.toString(n++);
      rows.add(
          new String[] {
            shard,
            shortId(p.id()),
            "primary",
            s.primary().address().toString(),
            slots(p.slots()),
            Long.toString(s.primary().keys()),
            state(view, s.primary())
          });
      for (NodeReport r : s.replicas()) {
        rows.add(
            new String[] {
              shard,
              shortId(r.id()),
              "replica",
              r.address().toString(),
              "-",
              Long.toString(r.keys()),
              state(view, r)
            });
      }
    }
    for (NodeReport r : view.reachable()) {
      NodeRecord self = r.self();
      boolean listed =
          self.primary()
              || (self.primaryId() != null
                  && view.node(self.primaryId()).map(x -> x.self().primary()).orElse(false));
      if (!listed) {
        rows.add(
            new String[] {
              "?",
              shortId(r.id()),
              self.replica() ? "replica" : "?",
              r.address().toString(),
              "-",
              Long.toString(r.keys()),
              "orphaned"
            });
      }
    }
    for (NodeReport r : view.unreachable()) {
      rows.add(new String[] {"?", "?", "?", r.address().toString(), "-", "-", "unreachable"});
    }
    for (String id : view.unobservedIds()) {
      view.record(id)
          .filter(rec -> rec.address() == null || view.report(rec.address()).isEmpty())
          .ifPresent(
              rec ->
                  rows.add(
                      new String[] {
                        "?",
                        shortId(id),
                        rec.replica() ? "replica" : "primary",
                        rec.address() == null ? "-" : rec.address().toString(),
                        slots(rec.slots()),
                        "-",
                        rec.failed() ? "failed" : "unreachable"
                      }));
    }
    return format(rows);
  }

  /** Slot ranges, cut to a readable width, with the count. */
  static String slots(io.slotwise.engine.topology.SlotSet slots) {
    if (slots.isEmpty()) {
      return "-";
    }
    String ranges = slots.toString();
    if (ranges.length() > 40) {
      int cut = ranges.lastIndexOf(',', 40);
      ranges = ranges.substring(0, cut > 0 ? cut : 40) + ",…";
    }
    return ranges + " (" + slots.size() + ")";
  }

  private static String state(ClusterView view, NodeReport r) {
    if (!r.clusterOk()) {
      return "cluster_state:" + r.clusterInfo().getOrDefault("cluster_state", "?");
    }
    if (r.self().replica()) {
      Map<String, String> repl = r.replication();
      if (!r.replicationLinkUp()) {
        return "link down";
      }
      if ("1".equals(repl.get("master_sync_in_progress"))) {
        return "syncing";
      }
      return "in sync";
    }
    return "ok";
  }

  static String shortId(String id) {
    return id == null ? "?" : id.length() > 8 ? id.substring(0, 8) : id;
  }

  static String format(List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] w = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        sb.append(r[i]);
        if (i < cols - 1) {
          sb.append(" ".repeat(w[i] - r[i].length() + 2));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
