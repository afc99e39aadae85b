package io.slotwise.engine.local;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;

/**
 * A local cluster could not be started, found or stopped; the message is one line and speaks of the
 * cluster, its nodes and its settings. {@link #kind()} says which setting or condition it is about,
 * so that a front end can add how to change it (the CLI names its flag).
 */
public class LocalClusterException extends EngineException {
  /** What the failure is about. */
  public enum Kind {
    /** The cluster's name. */
    NAME,
    /** The number of shards. */
    SHARDS,
    /** The number of replicas per shard. */
    REPLICAS,
    /** The port the nodes listen on. */
    PORT,
    /** The redis-server binary. */
    REDIS_SERVER,
    /** The cluster's processes already run. */
    ALREADY_RUNNING,
    /** Another Slotwise process is starting, healing or scaling its nodes. */
    BUSY,
    /** Anything else. */
    OTHER
  }

  private final Kind kind;

  public LocalClusterException(String message) {
    this(Kind.OTHER, message);
  }

  public LocalClusterException(Kind kind, String message) {
    super(Reason.LOCAL_RUNTIME, message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
