package io.slotwise.engine.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/** {@link NodeClient} over Lettuce: a string connection for admin, a byte one for keys. */
final class LettuceNodeClient implements NodeClient {
  private final NodeAddress address;
  private final RedisAdmin admin;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> async;
  private volatile StatefulRedisConnection<byte[], byte[]> bytes;

  LettuceNodeClient(
      NodeAddress address, RedisAdmin admin, StatefulRedisConnection<String, String> connection) {
    this.address = address;
    this.admin = admin;
    this.connection = connection;
    this.async = connection.async();
  }

  @Override
  public NodeAddress address() {
    return address;
  }

  boolean isOpen() {
    return connection.isOpen();
  }

  /**
   * Sends one command and waits for its reply. Commands go through Lettuce's asynchronous API only:
   * its synchronous facade is a generated proxy of a thousand methods, a tenth of a second of a
   * short command's start-up (see {@link LeanRedisClient}).
   */
  private <T> T call(String what, Function<RedisAsyncCommands<String, String>, RedisFuture<T>> c) {
    return run(what, () -> awaitReply(c.apply(async)));
  }

  private static <T> T awaitReply(RedisFuture<T> reply) {
    return LettuceFutures.awaitOrCancel(
        reply, RedisAdmin.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <T> T awaitBytes(RedisFuture<T> reply) {
    return LettuceFutures.awaitOrCancel(
        reply, RedisAdmin.MIGRATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T> T run(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw Failures.translate(address, what, e);
    }
  }

  @Override
  public String ping() {
    return call("PING", c -> c.ping());
  }

  @Override
  public String clusterNodes() {
    return call("CLUSTER NODES", c -> c.clusterNodes());
  }

  @Override
  public Map<String, String> clusterInfo() {
    return parseInfo(call("CLUSTER INFO", c -> c.clusterInfo()));
  }

  @Override
  public String myId() {
    return call("CLUSTER MYID", c -> c.clusterMyId());
  }

  /** {@code INFO section} parsed into key/value pairs. */
  @Override
  public Map<String, String> info(String section) {
    return parseInfo(call("INFO " + section, c -> c.info(section)));
  }

  /**
   * Seconds since each application connection last sent a command: connections of Slotwise and
   * replication links are left out.
   */
  @Override
  public List<Long> applicationClientIdleSeconds() {
    String list = call("CLIENT LIST", c -> c.clientList());
    List<Long> out = new ArrayList<>();
    for (String line : list.split("\n")) {
      Map<String, String> f = new LinkedHashMap<>();
      for (String kv : line.trim().split(" ")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      String flags = f.getOrDefault("flags", "");
      if (f.isEmpty()
          || RedisAdmin.CLIENT_NAME.equals(f.get("name"))
          || flags.contains("M")
          || flags.contains("S")) {
        continue;
      }
      out.add(Long.parseLong(f.getOrDefault("idle", "0")));
    }
    return out;
  }

  @Override
  public long dbsize() {
    return call("DBSIZE", c -> c.dbsize());
  }

  /** All five commands written at once: one round trip instead of five. */
  @Override
  public Snapshot snapshot() {
    RedisFuture<String> nodes = async.clusterNodes();
    RedisFuture<String> info = async.clusterInfo();
    RedisFuture<String> replication = async.info("replication");
    RedisFuture<Long> keys = async.dbsize();
    RedisFuture<String> memory = async.info("memory");
    return new Snapshot(
        await("CLUSTER NODES", nodes),
        parseInfo(await("CLUSTER INFO", info)),
        parseInfo(await("INFO replication", replication)),
        await("DBSIZE", keys),
        parseInfo(await("INFO memory", memory)));
  }

  private <T> T await(String what, RedisFuture<T> reply) {
    return run(what, () -> awaitReply(reply));
  }

  @Override
  public Map<String, String> configGet(String parameter) {
    return call("CONFIG GET " + parameter, c -> c.configGet(parameter));
  }

  @Override
  public void configSet(String parameter, String value) {
    call("CONFIG SET " + parameter, c -> c.configSet(parameter, value));
  }

  /** {@code CLUSTER MEET}; a bus port of 0 means the default, port + 10000. */
  @Override
  public void meet(NodeAddress other, int busPort) {
    if (busPort == 0 || busPort == other.port() + 10000) {
      call("CLUSTER MEET " + other, c -> c.clusterMeet(other.host(), other.port()));
      return;
    }
    StringCodec codec = StringCodec.UTF8;
    CommandArgs<String, String> args =
        new CommandArgs<>(codec).add("MEET").add(other.host()).add(other.port()).add(busPort);
    call(
        "CLUSTER MEET " + other,
        c -> c.dispatch(CommandType.CLUSTER, new StatusOutput<>(codec), args));
  }

  @SuppressWarnings("unchecked")
  @Override
  public void addSlots(SlotSet slots) {
    List<Range<Integer>> ranges = new ArrayList<>();
    for (int[] r : slots.ranges()) {
      ranges.add(Range.create(r[0], r[1]));
    }
    call(
        "CLUSTER ADDSLOTSRANGE " + slots,
        c -> c.clusterAddSlotsRange(ranges.toArray(new Range[0])));
  }

  @Override
  public void delSlots(SlotSet slots) {
    call("CLUSTER DELSLOTS " + slots, c -> c.clusterDelSlots(slots.toArray()));
  }

  @Override
  public void replicate(String primaryId) {
    call("CLUSTER REPLICATE", c -> c.clusterReplicate(primaryId));
  }

  @Override
  public void forget(String nodeId) {
    call("CLUSTER FORGET " + nodeId, c -> c.clusterForget(nodeId));
  }

  @Override
  public void setConfigEpoch(long epoch) {
    call("CLUSTER SET-CONFIG-EPOCH", c -> c.clusterSetConfigEpoch(epoch));
  }

  @Override
  public String bumpEpoch() {
    return call("CLUSTER BUMPEPOCH", c -> c.clusterBumpepoch());
  }

  @Override
  public void setSlotImporting(int slot, String sourceId) {
    call("CLUSTER SETSLOT " + slot + " IMPORTING", c -> c.clusterSetSlotImporting(slot, sourceId));
  }

  @Override
  public void setSlotMigrating(int slot, String targetId) {
    call("CLUSTER SETSLOT " + slot + " MIGRATING", c -> c.clusterSetSlotMigrating(slot, targetId));
  }

  @Override
  public void setSlotNode(int slot, String ownerId) {
    call("CLUSTER SETSLOT " + slot + " NODE", c -> c.clusterSetSlotNode(slot, ownerId));
  }

  @Override
  public void setSlotStable(int slot) {
    call("CLUSTER SETSLOT " + slot + " STABLE", c -> c.clusterSetSlotStable(slot));
  }

  @Override
  public long countKeysInSlot(int slot) {
    return call("CLUSTER COUNTKEYSINSLOT", c -> c.clusterCountKeysInSlot(slot));
  }

  /** Keys of a slot as raw bytes, so binary key names survive a migration. */
  @Override
  public synchronized List<byte[]> keysInSlot(int slot, int count) {
    return run(
        "CLUSTER GETKEYSINSLOT",
        () -> awaitBytes(bytes().async().clusterGetKeysInSlot(slot, count)));
  }

  /** {@code CLUSTER FAILOVER [FORCE|TAKEOVER]}, sent to a replica. */
  @Override
  public void failover(FailoverMode mode) {
    call(
        "CLUSTER FAILOVER",
        c ->
            switch (mode) {
              case DEFAULT -> c.clusterFailover(false);
              case FORCE -> c.clusterFailover(true);
              case TAKEOVER -> c.clusterFailover(false, true);
            });
  }

  @Override
  public void reset(boolean hard) {
    call("CLUSTER RESET", c -> c.clusterReset(hard));
  }

  /**
   * Moves keys of one slot to another node in one {@code MIGRATE ... KEYS} call.
   *
   * @return the reply, {@code OK} or {@code NOKEY}
   */
  @Override
  public synchronized String migrate(
      NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis) {
    MigrateArgs<byte[]> args = new MigrateArgs<byte[]>().keys(keys);
    if (replace) {
      args.replace();
    }
    admin.credentials().addTo(args);
    return run(
        "MIGRATE to " + target,
        () ->
            awaitBytes(
                bytes().async().migrate(target.host(), target.port(), 0, timeoutMillis, args)));
  }

  /**
   * Whether a key is still here; false too when the node redirects (ASK: its slot is migrating and
   * the key has left).
   */
  @Override
  public synchronized boolean existsHere(byte[] key) {
    try {
      return awaitBytes(bytes().async().exists(key)) > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether a key exists here even though this node is only importing its slot ({@code ASKING}
   * first, on the same connection, so the node answers instead of redirecting).
   */
  @Override
  public synchronized boolean existsImporting(byte[] key) {
    return run(
        "EXISTS",
        () -> {
          var c = bytes().async();
          awaitBytes(c.asking());
          return awaitBytes(c.exists(key)) > 0;
        });
  }

  /**
   * Renames a key of a slot this node is importing. RENAME is refused there (TRYAGAIN: a multi-key
   * command while the slot moves), so the value is copied with DUMP and RESTORE (keeping its TTL)
   * and the old name deleted; each command preceded by {@code ASKING}. Clients do not touch this
   * copy meanwhile: they are only sent here for keys the source does not have.
   */
  @Override
  public synchronized void renameImporting(byte[] key, byte[] newKey) {
    run(
        "RENAME",
        () -> {
          var c = bytes().async();
          awaitBytes(c.asking());
          byte[] dump = awaitBytes(c.dump(key));
          if (dump == null) {
            return null;
          }
          awaitBytes(c.asking());
          long ttl = awaitBytes(c.pttl(key));
          awaitBytes(c.asking());
          awaitBytes(c.restore(newKey, Math.max(0, ttl), dump));
          awaitBytes(c.asking());
          awaitBytes(c.del(key));
          return null;
        });
  }

  @Override
  public synchronized byte[] dump(byte[] key) {
    return run("DUMP", () -> awaitBytes(bytes().async().dump(key)));
  }

  @Override
  public synchronized byte[] dumpImporting(byte[] key) {
    return run(
        "DUMP",
        () -> {
          var c = bytes().async();
          awaitBytes(c.asking());
          return awaitBytes(c.dump(key));
        });
  }

  /** Shuts the node down without saving; a closed connection is the expected answer. */
  @Override
  public void shutdownNoSave() {
    try {
      async.shutdown(false);
    } catch (RuntimeException ignored) {
      // The server closes the connection as it exits.
    }
  }

  StatefulRedisConnection<byte[], byte[]> bytes() {
    StatefulRedisConnection<byte[], byte[]> b = bytes;
    if (b == null || !b.isOpen()) {
      synchronized (this) {
        b = bytes;
        if (b == null || !b.isOpen()) {
          b = admin.connectBytes(address);
          bytes = b;
        }
      }
    }
    return b;
  }

  static Map<String, String> parseInfo(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int idx = line.indexOf(':');
      if (idx > 0) {
        out.put(line.substring(0, idx), line.substring(idx + 1).trim());
      }
    }
    return out;
  }

  @Override
  public void close() {
    connection.closeAsync();
    StatefulRedisConnection<byte[], byte[]> b = bytes;
    if (b != null) {
      b.closeAsync();
    }
  }
}
