package io.slotwise.engine.redis;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Pipelined slot and key commands on one dedicated connection: callers issue many commands, then
 * {@link #await} them together, so a round trip is paid per batch instead of per command.
 */
public final class SlotPipeline implements AutoCloseable {
  private final NodeAddress address;
  private final RedisAdmin admin;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> async;

  SlotPipeline(
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
  public void flush() {
    if (dirty) {
      dirty = false;
      connection.flushCommands();
    }
  }

  public NodeAddress address() {
    return address;
  }

  /**
   * A pending reply; {@link #get} throws {@link RedisAdminException} naming the node and command.
   */
  public static final class Reply<T> {
    private final SlotPipeline pipeline;
    private final String what;
    private final CompletableFuture<T> future;

    Reply(SlotPipeline pipeline, String what, CompletableFuture<T> future) {
      this.pipeline = pipeline;
      this.what = what;
      this.future = future;
    }

    public T get() {
      NodeAddress node = pipeline.address;
      pipeline.flush();
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisAdminException(node + ": interrupted during " + what);
      } catch (ExecutionException e) {
        throw Failures.translate(node, what, e.getCause());
      }
    }

    /** The error message if the command failed, null if it succeeded. */
    public String error() {
      try {
        get();
        return null;
      } catch (RedisAdminException e) {
        return e.getMessage();
      }
    }
  }

  private <T> Reply<T> reply(String what, RedisFuture<T> f) {
    dirty = true;
    return new Reply<>(this, what, f.toCompletableFuture());
  }

  public Reply<String> setSlotImporting(int slot, String sourceId) {
    return reply(
        "CLUSTER SETSLOT " + slot + " IMPORTING", async.clusterSetSlotImporting(slot, sourceId));
  }

  public Reply<String> setSlotMigrating(int slot, String targetId) {
    return reply(
        "CLUSTER SETSLOT " + slot + " MIGRATING", async.clusterSetSlotMigrating(slot, targetId));
  }

  public Reply<String> setSlotNode(int slot, String ownerId) {
    return reply("CLUSTER SETSLOT " + slot + " NODE", async.clusterSetSlotNode(slot, ownerId));
  }

  public Reply<String> setSlotStable(int slot) {
    return reply("CLUSTER SETSLOT " + slot + " STABLE", async.clusterSetSlotStable(slot));
  }

  public Reply<List<byte[]>> keysInSlot(int slot, int count) {
    return reply("CLUSTER GETKEYSINSLOT " + slot, async.clusterGetKeysInSlot(slot, count));
  }

  public Reply<Long> countKeysInSlot(int slot) {
    return reply("CLUSTER COUNTKEYSINSLOT " + slot, async.clusterCountKeysInSlot(slot));
  }

  /** {@code MEMORY USAGE key SAMPLES 5}; null for a key that vanished. */
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
  public Reply<List<Object>> batchCuts(List<byte[]> keys, long budget, int cap) {
    byte[][] k = keys.toArray(new byte[0][]);
    byte[][] args = {Long.toString(budget).getBytes(), Integer.toString(cap).getBytes()};
    return reply(
        "EVAL batch cuts",
        async.<List<Object>>eval(CUTS_SCRIPT, io.lettuce.core.ScriptOutputType.MULTI, k, args));
  }

  /** {@code MIGRATE host port "" 0 timeout [REPLACE] [AUTH ...] KEYS ...}, all keys of one slot. */
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

  /** Waits for every reply; the first failure is thrown after all have arrived. */
  public static <T> List<T> await(List<Reply<T>> replies) {
    List<T> out = new ArrayList<>(replies.size());
    RedisAdminException first = null;
    for (Reply<T> r : replies) {
      try {
        out.add(r.get());
      } catch (RedisAdminException e) {
        if (first == null) {
          first = e;
        }
        out.add(null);
      }
    }
    if (first != null) {
      throw first;
    }
    return out;
  }

  /** Issues one command per item and waits for all of them. */
  public static <I, T> List<T> each(List<I> items, Function<I, Reply<T>> command) {
    List<Reply<T>> replies = new ArrayList<>(items.size());
    for (I i : items) {
      replies.add(command.apply(i));
    }
    return await(replies);
  }

  @Override
  public void close() {
    connection.closeAsync();
  }
}
