package io.slotwise.engine.observe;

import io.slotwise.engine.topology.NodeAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one reachable node said about the cluster, or why it could not be asked.
 *
 * @param known every line of its {@code CLUSTER NODES}, its own included
 * @param clusterInfo {@code CLUSTER INFO}
 * @param replication {@code INFO replication}
 * @param keys {@code DBSIZE}
 * @param usedMemory bytes, from {@code INFO memory}
 * @param error why the node could not be observed; null when it was
 */
public record NodeReport(
    NodeAddress address,
    List<NodeRecord> known,
    Map<String, String> clusterInfo,
    Map<String, String> replication,
    long keys,
    long usedMemory,
    String error) {

  public static NodeReport unreachable(NodeAddress address, String error) {
    return new NodeReport(address, List.of(), Map.of(), Map.of(), 0, 0, error);
  }

  public boolean reachable() {
    return error == null;
  }

  /** The node's own line. */
  public NodeRecord self() {
    return known.stream().filter(NodeRecord::myself).findFirst().orElse(null);
  }

  public Optional<NodeRecord> about(String nodeId) {
    return known.stream().filter(r -> r.id().equals(nodeId)).findFirst();
  }

  public String id() {
    NodeRecord s = self();
    return s == null ? null : s.id();
  }

  public boolean clusterOk() {
    return "ok".equals(clusterInfo.get("cluster_state"));
  }

  /** For a replica: whether its link to the primary is up. */
  public boolean replicationLinkUp() {
    return "up".equals(replication.get("master_link_status"));
  }

  public long replicationOffset() {
    String role = replication.get("role");
    String key = "master".equals(role) ? "master_repl_offset" : "slave_repl_offset";
    String v = replication.getOrDefault(key, replication.get("master_repl_offset"));
    return v == null ? -1 : Long.parseLong(v);
  }
}
