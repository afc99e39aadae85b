package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One Redis node (a pod) as observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

  public static final String PRIMARY = "primary";
  public static final String REPLICA = "replica";

  private String pod;
  private String nodeId;

  /** {@value #PRIMARY} or {@value #REPLICA}. */
  private String role;

  private String address;
  private int slots;
  private boolean inSync;

  public NodeStatus() {}

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getNodeId() {
    return nodeId;
  }

  public void setNodeId(String nodeId) {
    this.nodeId = nodeId;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public int getSlots() {
    return slots;
  }

  public void setSlots(int slots) {
    this.slots = slots;
  }

  public boolean isInSync() {
    return inSync;
  }

  public void setInSync(boolean inSync) {
    this.inSync = inSync;
  }
}
