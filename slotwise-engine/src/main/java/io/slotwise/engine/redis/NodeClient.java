package io.slotwise.engine.redis;

import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.List;
import java.util.Map;

/**
 * Admin commands for one Redis node. Every method throws {@link RedisAdminException} on failure,
 * whose {@link RedisAdminException#kind} says what the node answered.
 */
public interface NodeClient extends AutoCloseable {
  NodeAddress address();

  String ping();

  String clusterNodes();

  Map<String, String> clusterInfo();

  String myId();

  /** {@code INFO section} parsed into key/value pairs. */
  Map<String, String> info(String section);

  /**
   * Seconds since each application connection last sent a command: connections of Slotwise and
   * replication links are left out.
   */
  List<Long> applicationClientIdleSeconds();

  long dbsize();

  /**
   * What an observation asks of a node: {@code CLUSTER NODES}, {@code CLUSTER INFO}, {@code INFO
   * replication}, {@code DBSIZE} and {@code INFO memory}.
   */
  record Snapshot(
      String clusterNodes,
      Map<String, String> clusterInfo,
      Map<String, String> replication,
      long keys,
      Map<String, String> memory) {}

  /** The commands of a {@link Snapshot}, sent together where the client can pipeline them. */
  default Snapshot snapshot() {
    return new Snapshot(
        clusterNodes(), clusterInfo(), info("replication"), dbsize(), info("memory"));
  }

  Map<String, String> configGet(String parameter);

  void configSet(String parameter, String value);

  /** {@code CLUSTER MEET}; a bus port of 0 means the default, port + 10000. */
  void meet(NodeAddress other, int busPort);

  void addSlots(SlotSet slots);

  void delSlots(SlotSet slots);

  void replicate(String primaryId);

  void forget(String nodeId);

  void setConfigEpoch(long epoch);

  String bumpEpoch();

  void setSlotImporting(int slot, String sourceId);

  void setSlotMigrating(int slot, String targetId);

  void setSlotNode(int slot, String ownerId);

  void setSlotStable(int slot);

  long countKeysInSlot(int slot);

  /** Keys of a slot as raw bytes, so binary key names survive a migration. */
  List<byte[]> keysInSlot(int slot, int count);

  /** {@code CLUSTER FAILOVER [FORCE|TAKEOVER]}, sent to a replica. */
  void failover(FailoverMode mode);

  void reset(boolean hard);

  /**
   * Moves keys of one slot to another node in one {@code MIGRATE ... KEYS} call.
   *
   * @return the reply, {@code OK} or {@code NOKEY}
   */
  String migrate(NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis);

  /**
   * Whether a key is still here; false too when the node redirects (ASK: its slot is migrating and
   * the key has left).
   */
  boolean existsHere(byte[] key);

  /**
   * Whether a key exists here even though this node is only importing its slot ({@code ASKING}
   * first, on the same connection, so the node answers instead of redirecting).
   */
  boolean existsImporting(byte[] key);

  /**
   * Renames a key of a slot this node is importing. RENAME is refused there (TRYAGAIN: a multi-key
   * command while the slot moves), so the value is copied with DUMP and RESTORE (keeping its TTL)
   * and the old name deleted; each command preceded by {@code ASKING}. Clients do not touch this
   * copy meanwhile: they are only sent here for keys the source does not have.
   */
  void renameImporting(byte[] key, byte[] newKey);

  /** {@code DUMP key} on this node (the slot served here); null when the key is absent. */
  byte[] dump(byte[] key);

  /** {@code DUMP key} of a slot this node is importing ({@code ASKING} first); null if absent. */
  byte[] dumpImporting(byte[] key);

  /** Shuts the node down without saving; a closed connection is the expected answer. */
  void shutdownNoSave();

  @Override
  void close();
}
