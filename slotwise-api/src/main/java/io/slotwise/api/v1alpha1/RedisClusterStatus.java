package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator last observed and is doing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisClusterStatus {

  /** Condition types. */
  public static final String READY = "Ready";

  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private long observedGeneration;

  @JsonPropertyDescription("Conditions Ready, Progressing and Degraded.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Each shard's nodes as observed in Redis.")
  private List<ShardStatus> shards = new ArrayList<>();

  @JsonPropertyDescription("Slots owned by some primary (16384 when complete).")
  private int slotsAssigned;

  @JsonPropertyDescription("The operation under way; absent when idle.")
  private Operation operation;

  @JsonPropertyDescription("Hash of the pod settings that need a restart, as desired.")
  private String desiredRevision;

  @JsonPropertyDescription("Hash of the pod settings every pod runs with.")
  private String currentRevision;

  @JsonPropertyDescription("Nodes that are up and in the cluster.")
  private int readyNodes;

  @JsonPropertyDescription("One line for humans (kubectl get).")
  private String summary;

  public RedisClusterStatus() {}

  public long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<ShardStatus> getShards() {
    return shards;
  }

  public void setShards(List<ShardStatus> shards) {
    this.shards = shards;
  }

  public int getSlotsAssigned() {
    return slotsAssigned;
  }

  public void setSlotsAssigned(int slotsAssigned) {
    this.slotsAssigned = slotsAssigned;
  }

  public Operation getOperation() {
    return operation;
  }

  public void setOperation(Operation operation) {
    this.operation = operation;
  }

  public String getDesiredRevision() {
    return desiredRevision;
  }

  public void setDesiredRevision(String desiredRevision) {
    this.desiredRevision = desiredRevision;
  }

  public String getCurrentRevision() {
    return currentRevision;
  }

  public void setCurrentRevision(String currentRevision) {
    this.currentRevision = currentRevision;
  }

  public int getReadyNodes() {
    return readyNodes;
  }

  public void setReadyNodes(int readyNodes) {
    this.readyNodes = readyNodes;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }
}
