package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** One shard (StatefulSet NAME-index) as observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShardStatus {

  private int index;
  private List<NodeStatus> nodes = new ArrayList<>();

  public ShardStatus() {}

  public ShardStatus(int index, List<NodeStatus> nodes) {
    this.index = index;
    this.nodes = nodes;
  }

  public int getIndex() {
    return index;
  }

  public void setIndex(int index) {
    this.index = index;
  }

  public List<NodeStatus> getNodes() {
    return nodes;
  }

  public void setNodes(List<NodeStatus> nodes) {
    this.nodes = nodes;
  }
}
