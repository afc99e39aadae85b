package io.slotwise.engine.failure;

/**
 * Why the engine stopped, as a stable code that a caller can act on or put in a Kubernetes
 * condition's {@code reason} (UpperCamelCase, as {@link #code()} gives it).
 */
public enum Reason {
  /** A node could not be reached or did not answer in time. */
  NODE_UNREACHABLE("NodeUnreachable"),
  /** A node refused our credentials or asked for a password. */
  AUTH_FAILED("AuthFailed"),
  /** A node answered a command with an error. */
  REDIS_ERROR("RedisError"),
  /** A node is still loading its data set. */
  NODE_LOADING("NodeLoading"),
  /** A wait for the cluster to reach a state gave up. */
  TIMEOUT("Timeout"),
  /** The desired topology cannot be built from what is there. */
  INVALID_TOPOLOGY("InvalidTopology"),
  /** A slot migration stopped; the slot is left resumable. */
  MIGRATION_FAILED("MigrationFailed"),
  /** A node ran out of memory while receiving keys. */
  OUT_OF_MEMORY("OutOfMemory"),
  /** Acting now could lose or hide data, or depends on a node nobody can observe. */
  UNSAFE("Unsafe"),
  /** Local processes, files or ports of a local cluster. */
  LOCAL_RUNTIME("LocalRuntime"),
  /** The node provider could not start, restart or remove a node. */
  NODE_START_FAILED("NodeStartFailed"),
  /** The cluster has a problem that only a repair (check and fix) settles; nothing was changed. */
  REPAIR_NEEDED("RepairNeeded");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
