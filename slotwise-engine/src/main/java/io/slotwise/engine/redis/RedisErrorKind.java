package io.slotwise.engine.redis;

import io.slotwise.engine.failure.Reason;
import java.util.Locale;

/**
 * What a Redis error reply (or a failure to get one) means, parsed once here so that no caller
 * matches message text. {@link #parse} reads a reply such as {@code BUSYKEY Target key name already
 * exists.}; MIGRATE's relay of the target's refusal ({@code ERR Target instance replied with error:
 * ...}) is read as the target's error.
 */
public enum RedisErrorKind {
  MOVED,
  ASK,
  TRYAGAIN,
  BUSYKEY,
  CLUSTERDOWN,
  LOADING,
  OOM,
  NOAUTH,
  WRONGPASS,
  NOPERM,
  READONLY,
  MASTERDOWN,
  CROSSSLOT,
  /** {@code CLUSTER SETSLOT} on a node that is not, or already is, the slot's owner. */
  ERR_NOT_OWNER,
  /** {@code CLUSTER SETSLOT} sent to a replica. */
  ONLY_WITH_MASTERS,
  /**
   * A blocked command let go because the node's role changed: Valkey 8 blocks {@code CLUSTER
   * SETSLOT} on a primary until its replicas have it, and a primary that turns replica meanwhile
   * answers {@code UNBLOCKED}.
   */
  UNBLOCKED,
  /**
   * Not enough replicas acknowledged in time; Valkey 8 answers a {@code CLUSTER SETSLOT} so (the
   * command is then not applied).
   */
  NOREPLICAS,
  /** A cluster command sent to a node that runs with {@code cluster-enabled no}. */
  CLUSTER_DISABLED,
  /** MIGRATE could not talk to its target. */
  IOERR,
  /** No reply: the connection could not be opened or was lost. */
  CONNECTION_FAILED,
  /** No reply in time. */
  TIMEOUT,
  /** Any other error reply. */
  UNKNOWN;

  private static final String RELAYED = "Target instance replied with error: ";

  /** The kind of an error reply's text (the first word is Redis's error code). */
  public static RedisErrorKind parse(String reply) {
    if (reply == null) {
      return UNKNOWN;
    }
    String r = reply.strip();
    if (r.startsWith("-")) {
      r = r.substring(1);
    }
    int relayed = r.indexOf(RELAYED);
    if (relayed >= 0) {
      return parse(r.substring(relayed + RELAYED.length()));
    }
    int space = r.indexOf(' ');
    String code = space < 0 ? r : r.substring(0, space);
    switch (code) {
      case "MOVED":
        return MOVED;
      case "ASK":
        return ASK;
      case "TRYAGAIN":
        return TRYAGAIN;
      case "BUSYKEY":
        return BUSYKEY;
      case "CLUSTERDOWN":
        return CLUSTERDOWN;
      case "LOADING":
        return LOADING;
      case "OOM":
        return OOM;
      case "NOAUTH":
        return NOAUTH;
      case "WRONGPASS":
        return WRONGPASS;
      case "NOPERM":
        return NOPERM;
      case "READONLY":
        return READONLY;
      case "MASTERDOWN":
        return MASTERDOWN;
      case "CROSSSLOT":
        return CROSSSLOT;
      case "IOERR":
        return IOERR;
      case "UNBLOCKED":
        return UNBLOCKED;
      case "NOREPLICAS":
        return NOREPLICAS;
      default:
        break;
    }
    if (!code.equals("ERR")) {
      return UNKNOWN;
    }
    String text = r.substring(space + 1).toLowerCase(Locale.ROOT);
    if (text.startsWith("i'm not the owner") || text.startsWith("i'm already the owner")) {
      return ERR_NOT_OWNER;
    }
    // Valkey may one day say "primaries", as valkey-cli already expects.
    if (text.contains("only with masters") || text.contains("only with primaries")) {
      return ONLY_WITH_MASTERS;
    }
    if (text.contains("cluster support disabled")) {
      return CLUSTER_DISABLED;
    }
    // Servers before 6.0 answered a wrong AUTH with a plain ERR.
    if (text.startsWith("invalid password")) {
      return WRONGPASS;
    }
    return UNKNOWN;
  }

  /**
   * Whether this answer of a migration's source to {@code SETSLOT slot NODE target}, sent after the
   * target took the slot, leaves nothing to do there. The source lost its last slot and turned
   * replica of the target, which it then knows as the owner (Redis 7 and Valkey: {@link
   * #ONLY_WITH_MASTERS}; Valkey 8, while the command waited for the source's replicas: {@link
   * #UNBLOCKED}); or the source's replicas did not acknowledge in time ({@link #NOREPLICAS}): the
   * target's new config epoch reaches the source by gossip, which gives the slot up and closes it.
   * {@code valkey-cli --cluster} accepts the same answers.
   */
  public boolean settledOnSourceAfterHandOver() {
    return this == ONLY_WITH_MASTERS || this == UNBLOCKED || this == NOREPLICAS;
  }

  /** The engine failure reason this kind of error is reported with. */
  public Reason reason() {
    return switch (this) {
      case NOAUTH, WRONGPASS -> Reason.AUTH_FAILED;
      case LOADING -> Reason.NODE_LOADING;
      case OOM -> Reason.OUT_OF_MEMORY;
      case CONNECTION_FAILED, TIMEOUT -> Reason.NODE_UNREACHABLE;
      default -> Reason.REDIS_ERROR;
    };
  }

  /**
   * The kind named in a one-line engine message of the form {@code node: COMMAND failed: reply},
   * for callers that only kept the text of a {@link RedisAdminException} (a node report's error).
   */
  public static RedisErrorKind inMessage(String message) {
    if (message == null) {
      return UNKNOWN;
    }
    int idx = message.indexOf(" failed: ");
    return parse(idx < 0 ? message : message.substring(idx + " failed: ".length()));
  }
}
