package io.slotwise.operator.status;

/**
 * The reasons of the Ready, Progressing and Degraded conditions that the operator itself sets;
 * engine blocks add {@link io.slotwise.engine.failure.Reason#code()}s.
 */
public enum StatusReason {
  CLUSTER_HEALTHY("ClusterHealthy"),
  FORMING("Forming"),
  INVALID_SPEC("InvalidSpec"),
  SECRET_MISSING("SecretMissing"),
  PODS_NOT_READY("PodsNotReady"),
  PAUSED("Paused"),
  RECONCILING("Reconciling"),
  ROLLING("Rolling"),
  AWAITING_FAILOVER("AwaitingFailover"),
  ROLL_HALTED("RollHalted"),
  ROLL_UNSAFE("RollUnsafe"),
  IDLE("Idle"),
  AS_EXPECTED("AsExpected"),
  OPERATOR_ERROR("OperatorError");

  private final String code;

  StatusReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
