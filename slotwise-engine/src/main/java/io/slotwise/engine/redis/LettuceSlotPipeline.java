package io.slotwise.engine.redis;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.slotwise.engine.topology.NodeAddress;
import java.util.List;

/** {@link SlotPipeline} on one dedicated Lettuce connection with auto-flush off. */
final class LettuceSlotPipeline implements SlotPipeline {
  private final NodeAddress address;
  private final RedisAdmin admin;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> async;

  LettuceSlotPipeline(
      NodeAddress address, RedisAdmin admin, StatefulRedisConnection<byte[], byte[]> connection) {
    this.address = address;
    this.admin = admin;
    this.connection = connection;
    this.async = connection.async();
    // Commands are written in bursts and flushed once, before the first reply is awaited: one
    // system call per burst instead of one per command.
    connection.setAutoFlushCommands(false);
  }

  private volatile boolean dirty;

  /** Sends every command issued since the last flush. */
  @Override
  public void flush() {
    if (dirty) {
      dirty = false;
      connection.flushCommands();
    }
  }

  @Override
  public NodeAddress address() {
    return address;
  }

  private <T> Reply<T> reply(String what, RedisFuture<T> f) {
    dirty = true;
    return new Reply<>(address, what, f.toCompletableFuture(), this::flush);
  }

  @Override
  public Reply<String> setSlotImporting(int slot, String sourceId) {
    return reply(
        "CLUSTER SETSLOT " + slot + " IMPORTING", async.clusterSetSlotImporting(slot, sourceId));
  }

  @Override
  public Reply<String> setSlotMigrating(int slot, String targetId) {
    return reply(
        "CLUSTER SETSLOT " + slot + " MIGRATING", async.clusterSetSlotMigrating(slot, targetId));
  }

  @Override
  public Reply<String> setSlotNode(int slot, String ownerId) {
    return reply("CLUSTER SETSLOT " + slot + " NODE", async.clusterSetSlotNode(slot, ownerId));
  }

  @Override
  public Reply<String> setSlotStable(int slot) {
    return reply("CLUSTER SETSLOT " + slot + " STABLE", async.clusterSetSlotStable(slot));
  }

  @Override
  public Reply<List<byte[]>> keysInSlot(int slot, int count) {
    return reply("CLUSTER GETKEYSINSLOT " + slot, async.clusterGetKeysInSlot(slot, count));
  }

  @Override
  public Reply<Long> countKeysInSlot(int slot) {
    return reply("CLUSTER COUNTKEYSINSLOT " + slot, async.clusterCountKeysInSlot(slot));
  }

  /** {@code MEMORY USAGE key SAMPLES 5}; null for a key that vanished. */
  @Override
  public Reply<Long> memoryUsage(byte[] key) {
    return reply("MEMORY USAGE", async.memoryUsage(key));
  }

  private static final String CUTS_SCRIPT =
      "local budget, cap = tonumber(ARGV[1]), tonumber(ARGV[2]) "
          + "local out, sum, n = {}, 0, 0 "
          + "for i, k in ipairs(KEYS) do "
          + "  local size = redis.call('MEMORY', 'USAGE', k) or 0 "
          + "  if n > 0 and (sum + size > budget or n >= cap) then "
          + "    out[#out + 1] = i - 1 out[#out + 1] = sum sum, n = 0, 0 "
          + "  end "
          + "  sum, n = sum + size, n + 1 "
          + "end "
          + "if n > 0 then out[#out + 1] = #KEYS out[#out + 1] = sum end "
          + "return out";

  /**
   * Cuts the keys of one slot into MIGRATE batches of at most {@code budget} bytes (by {@code
   * MEMORY USAGE}) and {@code cap} keys, in one read-only script call: the reply is the flat list
   * {@code end1, bytes1, end2, bytes2, ...}, each end an exclusive index. A key larger than the
   * budget is a batch of its own. Fails with TRYAGAIN when a key of a migrating slot is gone;
   * callers fall back to {@link #memoryUsage}.
   */
  @Override
  public Reply<List<Object>> batchCuts(List<byte[]> keys, long budget, int cap) {
    byte[][] k = keys.toArray(new byte[0][]);
    byte[][] args = {Long.toString(budget).getBytes(), Integer.toString(cap).getBytes()};
    return reply(
        "EVAL batch cuts",
        async.<List<Object>>eval(CUTS_SCRIPT, io.lettuce.core.ScriptOutputType.MULTI, k, args));
  }

  /** {@code MIGRATE host port "" 0 timeout [REPLACE] [AUTH ...] KEYS ...}, all keys of one slot. */
  @Override
  public Reply<String> migrate(
      NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis) {
    MigrateArgs<byte[]> args = new MigrateArgs<byte[]>().keys(keys);
    if (replace) {
      args.replace();
    }
    admin.credentials().addTo(args);
    return reply(
        "MIGRATE to " + target,
        async.migrate(target.host(), target.port(), 0, timeoutMillis, args));
  }

  @Override
  public boolean isOpen() {
    return connection.isOpen();
  }

  @Override
  public void close() {
    connection.closeAsync();
  }
}
