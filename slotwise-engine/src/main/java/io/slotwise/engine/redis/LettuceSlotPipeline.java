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

  private static final String SETSLOTS_SCRIPT =
      "local state, node, out = ARGV[1], ARGV[2], {} "
          + "for i = 3, #ARGV do "
          + "  local r "
          + "  if node == '' then r = redis.pcall('CLUSTER', 'SETSLOT', ARGV[i], state) "
          + "  else r = redis.pcall('CLUSTER', 'SETSLOT', ARGV[i], state, node) end "
          + "  if type(r) == 'table' and r.err then out[#out + 1] = '-' .. r.err "
          + "  else out[#out + 1] = '+OK' end "
          + "end "
          + "return out";

  // ARGV: owner, range count, first, last, first, last, ..., then the next owner. An owner the
  // node does not know (COUNT-FAILURE-REPORTS answers "Unknown node"; a node it is still shaking
  // hands with has another id in its table) is left whole for a later call.
  private static final String TEACH_OWNERS_SCRIPT =
      "local i, taught = 1, {} "
          + "while i <= #ARGV do "
          + "  local owner, n = ARGV[i], tonumber(ARGV[i + 1]) "
          + "  local r = redis.pcall('CLUSTER', 'COUNT-FAILURE-REPORTS', owner) "
          + "  if not (type(r) == 'table' and r.err) then "
          + "    for k = 0, n - 1 do "
          + "      for slot = tonumber(ARGV[i + 2 + 2 * k]), tonumber(ARGV[i + 3 + 2 * k]) do "
          + "        redis.pcall('CLUSTER', 'SETSLOT', slot, 'NODE', owner) "
          + "      end "
          + "    end "
          + "    taught[#taught + 1] = owner "
          + "  end "
          + "  i = i + 2 + 2 * n "
          + "end "
          + "return taught";

  /** Whether this node runs our scripts; asked once, on first need. */
  private Boolean runsScripts;

  private boolean runsScripts() {
    if (runsScripts == null) {
      Reply<Object> probe =
          reply(
              "EVAL",
              async.<Object>eval(
                  "return 1", io.lettuce.core.ScriptOutputType.INTEGER, new byte[0][]));
      runsScripts = probe.failure() == null;
    }
    return runsScripts;
  }

  @Override
  public Reply<List<String>> teachKnownOwners(java.util.Map<String, List<Integer>> owners) {
    // The support probe first: an empty map asks only that.
    if (!runsScripts() || owners.isEmpty()) {
      return Reply.done(address, "teach slot owners", List.of());
    }
    List<byte[]> args = new java.util.ArrayList<>();
    owners.forEach(
        (owner, slots) -> {
          List<int[]> ranges = ranges(slots);
          if (!ranges.isEmpty()) {
            args.add(owner.getBytes());
            args.add(Integer.toString(ranges.size()).getBytes());
            for (int[] r : ranges) {
              args.add(Integer.toString(r[0]).getBytes());
              args.add(Integer.toString(r[1]).getBytes());
            }
          }
        });
    java.util.concurrent.CompletableFuture<List<String>> taught =
        async
            .<List<Object>>eval(
                TEACH_OWNERS_SCRIPT,
                io.lettuce.core.ScriptOutputType.MULTI,
                new byte[0][],
                args.toArray(new byte[0][]))
            .toCompletableFuture()
            .thenApply(r -> r.stream().map(o -> new String((byte[]) o)).toList());
    dirty = true;
    return new Reply<>(address, "EVAL teach slot owners", taught, this::flush);
  }

  /** Runs of consecutive slots, first and last, in ascending order. */
  static List<int[]> ranges(List<Integer> slots) {
    int[] sorted = slots.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    List<int[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
        j++;
      }
      out.add(new int[] {sorted[i], sorted[j]});
      i = j + 1;
    }
    return out;
  }

  /**
   * A group's SETSLOTs in one script call, each slot's reply as if sent alone: on a node whose
   * SETSLOT returns at once (Redis; not Valkey 8, which holds each until its replicas have it, so
   * its callers pass {@code oneByOne}), tens of thousands of commands of a large move become a few
   * hundred. Each SETSLOT runs in order on the node, as it would pipelined.
   */
  @Override
  public List<Reply<String>> setSlots(
      List<Integer> slots, String state, String nodeId, boolean oneByOne) {
    if (oneByOne || slots.size() < 2 || !runsScripts()) {
      return SlotPipeline.super.setSlots(slots, state, nodeId, oneByOne);
    }
    byte[][] args = new byte[slots.size() + 2][];
    args[0] = state.getBytes();
    args[1] = (nodeId == null ? "" : nodeId).getBytes();
    for (int i = 0; i < slots.size(); i++) {
      args[i + 2] = Integer.toString(slots.get(i)).getBytes();
    }
    java.util.concurrent.CompletableFuture<List<Object>> all =
        async
            .<List<Object>>eval(
                SETSLOTS_SCRIPT, io.lettuce.core.ScriptOutputType.MULTI, new byte[0][], args)
            .toCompletableFuture();
    dirty = true;
    List<Reply<String>> out = new java.util.ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i++) {
      int at = i;
      java.util.concurrent.CompletableFuture<String> one =
          all.thenApply(
              replies -> {
                String r = new String((byte[]) replies.get(at));
                if (r.startsWith("-")) {
                  throw new io.lettuce.core.RedisCommandExecutionException(r.substring(1));
                }
                return r.substring(1);
              });
      out.add(
          new Reply<>(address, "CLUSTER SETSLOT " + slots.get(i) + " " + state, one, this::flush));
    }
    return out;
  }

  @Override
  public Reply<List<byte[]>> keysInSlot(int slot, int count) {
    return reply("CLUSTER GETKEYSINSLOT " + slot, async.clusterGetKeysInSlot(slot, count));
  }

  @Override
  public Reply<Long> countKeysInSlot(int slot) {
    return reply("CLUSTER COUNTKEYSINSLOT " + slot, async.clusterCountKeysInSlot(slot));
  }

  private static final String COUNTS_SCRIPT =
      "local out = {} "
          + "for i = 1, #ARGV, 2 do "
          + "  for s = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do "
          + "    out[#out + 1] = redis.call('CLUSTER', 'COUNTKEYSINSLOT', s) "
          + "  end "
          + "end "
          + "return out";

  /** Slots counted by one script call: a few milliseconds of the node's thread. */
  static final int SLOTS_PER_COUNT_CALL = 2048;

  /**
   * {@code COUNTKEYSINSLOT} of each slot given, in order, by a read-only script per {@link
   * #SLOTS_PER_COUNT_CALL} slots, pipelined: thousands of replies cost a short command's start-up a
   * tenth of a second on the client side. A node that refuses scripts is asked slot by slot.
   */
  @Override
  public long[] countKeysInSlots(int[] slots) {
    List<Reply<List<Object>>> calls = new java.util.ArrayList<>();
    for (int from = 0; from < slots.length; from += SLOTS_PER_COUNT_CALL) {
      int to = Math.min(slots.length, from + SLOTS_PER_COUNT_CALL);
      List<byte[]> ranges = new java.util.ArrayList<>();
      for (int i = from; i < to; ) {
        int j = i;
        while (j + 1 < to && slots[j + 1] == slots[j] + 1) {
          j++;
        }
        ranges.add(Integer.toString(slots[i]).getBytes());
        ranges.add(Integer.toString(slots[j]).getBytes());
        i = j + 1;
      }
      calls.add(
          reply(
              "EVAL slot key counts",
              async.<List<Object>>eval(
                  COUNTS_SCRIPT,
                  io.lettuce.core.ScriptOutputType.MULTI,
                  new byte[0][],
                  ranges.toArray(new byte[0][]))));
    }
    long[] out = new long[slots.length];
    int n = 0;
    for (Reply<List<Object>> call : calls) {
      if (call.failure() != null) {
        return SlotPipeline.super.countKeysInSlots(slots);
      }
      for (Object count : call.get()) {
        out[n++] = (Long) count;
      }
    }
    if (n != slots.length) {
      return SlotPipeline.super.countKeysInSlots(slots);
    }
    return out;
  }

  /** {@code MEMORY USAGE key SAMPLES 5}; null for a key that vanished. */
  @Override
  public Reply<Long> memoryUsage(byte[] key) {
    return reply("MEMORY USAGE", async.memoryUsage(key));
  }

  /**
   * Lua that cuts {@code keys} into batches of at most {@code budget} bytes (by {@code MEMORY
   * USAGE}) and {@code cap} keys, into {@code out}: end1, bytes1, end2, bytes2, ...
   */
  private static final String CUT_KEYS =
      "local out, sum, n = {}, 0, 0 "
          + "for i, k in ipairs(keys) do "
          + "  local size = redis.call('MEMORY', 'USAGE', k) or 0 "
          + "  if n > 0 and (sum + size > budget or n >= cap) then "
          + "    out[#out + 1] = i - 1 out[#out + 1] = sum sum, n = 0, 0 "
          + "  end "
          + "  sum, n = sum + size, n + 1 "
          + "end "
          + "if n > 0 then out[#out + 1] = #keys out[#out + 1] = sum end ";

  private static final String CUTS_SCRIPT =
      "local budget, cap = tonumber(ARGV[1]), tonumber(ARGV[2]) "
          + "local keys = KEYS "
          + CUT_KEYS
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

  private static final String SCAN_SCRIPT =
      "local slot, count = tonumber(ARGV[1]), tonumber(ARGV[2]) "
          + "local budget, cap = tonumber(ARGV[3]), tonumber(ARGV[4]) "
          + "local keys = redis.call('CLUSTER', 'GETKEYSINSLOT', slot, count) "
          + CUT_KEYS
          + "return {out, keys}";

  /**
   * {@code GETKEYSINSLOT} and the batch cuts of its keys in one read-only script call: the keys
   * cross the wire once instead of three times, and the source parses one command instead of two. A
   * script sees the keys it listed, so no key vanishes between the two. The scan is null when the
   * node refused the script (an ACL without scripting, say): ask with {@link #scanSeparately}.
   */
  @Override
  public Reply<Scan> scan(int slot, int count, long budget, int cap) {
    byte[][] args = {
      Integer.toString(slot).getBytes(),
      Integer.toString(count).getBytes(),
      Long.toString(budget).getBytes(),
      Integer.toString(cap).getBytes()
    };
    java.util.concurrent.CompletableFuture<Scan> scan =
        async
            .<List<Object>>eval(
                SCAN_SCRIPT, io.lettuce.core.ScriptOutputType.MULTI, new byte[0][], args)
            .toCompletableFuture()
            .handle(
                (reply, failure) -> {
                  if (failure != null || reply == null || reply.size() != 2) {
                    return null;
                  }
                  @SuppressWarnings("unchecked")
                  List<Object> cuts = (List<Object>) reply.get(0);
                  List<byte[]> keys = new java.util.ArrayList<>();
                  for (Object k : (List<?>) reply.get(1)) {
                    keys.add((byte[]) k);
                  }
                  return new Scan(keys, Reply.done(address, "EVAL batch cuts", cuts));
                });
    dirty = true;
    return new Reply<>(address, "scan of slot " + slot, scan, this::flush);
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
