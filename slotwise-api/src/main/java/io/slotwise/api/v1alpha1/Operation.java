package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The operation under way (status.operation); null when idle. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Operation {

  /** Values of {@code type}. */
  public static final String FORMING = "Forming";

  public static final String SCALING_OUT = "ScalingOut";
  public static final String SCALING_IN = "ScalingIn";
  public static final String ADDING_REPLICAS = "AddingReplicas";
  public static final String REMOVING_REPLICAS = "RemovingReplicas";
  public static final String ROLLING = "Rolling";
  public static final String REPAIRING = "Repairing";

  private String type;
  private String phase;
  private String message;
  private long done;
  private long total;
  private long slotsMoved;
  private long keysMoved;

  /** RFC 3339 time the operation started. */
  private String startedAt;

  public Operation() {}

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public long getDone() {
    return done;
  }

  public void setDone(long done) {
    this.done = done;
  }

  public long getTotal() {
    return total;
  }

  public void setTotal(long total) {
    this.total = total;
  }

  public long getSlotsMoved() {
    return slotsMoved;
  }

  public void setSlotsMoved(long slotsMoved) {
    this.slotsMoved = slotsMoved;
  }

  public long getKeysMoved() {
    return keysMoved;
  }

  public void setKeysMoved(long keysMoved) {
    this.keysMoved = keysMoved;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }
}
