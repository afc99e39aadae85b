package io.slotwise.engine.redis;

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
public interface SlotPipeline extends AutoCloseable {
  /** Sends every command issued since the last flush. */
  void flush();

  NodeAddress address();

  Reply<String> setSlotImporting(int slot, String sourceId);

  Reply<String> setSlotMigrating(int slot, String targetId);

  Reply<String> setSlotNode(int slot, String ownerId);

  Reply<String> setSlotStable(int slot);

  /**
   * {@code CLUSTER SETSLOT slot state [node]} for each slot, one reply per slot in order; {@code
   * state} is IMPORTING, MIGRATING, NODE or STABLE, {@code nodeId} null for STABLE. Here one
   * command per slot, pipelined; a node that runs scripts takes them in one script call (see {@code
   * LettuceSlotPipeline}) unless {@code oneByOne}.
   */
  default List<Reply<String>> setSlots(
      List<Integer> slots, String state, String nodeId, boolean oneByOne) {
    List<Reply<String>> out = new ArrayList<>(slots.size());
    for (int s : slots) {
      out.add(
          switch (state) {
            case "IMPORTING" -> setSlotImporting(s, nodeId);
            case "MIGRATING" -> setSlotMigrating(s, nodeId);
            case "NODE" -> setSlotNode(s, nodeId);
            case "STABLE" -> setSlotStable(s);
            default -> throw new IllegalArgumentException("no SETSLOT state " + state);
          });
    }
    return out;
  }

  Reply<List<byte[]>> keysInSlot(int slot, int count);

  Reply<Long> countKeysInSlot(int slot);

  /** {@code COUNTKEYSINSLOT} of each slot given, in order; pipelined. */
  default long[] countKeysInSlots(int[] slots) {
    return each(java.util.Arrays.stream(slots).boxed().toList(), this::countKeysInSlot).stream()
        .mapToLong(Long::longValue)
        .toArray();
  }

  /** {@code MEMORY USAGE key SAMPLES 5}; null for a key that vanished. */
  Reply<Long> memoryUsage(byte[] key);

  /**
   * Cuts the keys of one slot into MIGRATE batches of at most {@code budget} bytes (by {@code
   * MEMORY USAGE}) and {@code cap} keys, in one read-only script call: the reply is the flat list
   * {@code end1, bytes1, end2, bytes2, ...}, each end an exclusive index. A key larger than the
   * budget is a batch of its own. Fails with TRYAGAIN when a key of a migrating slot is gone;
   * callers fall back to {@link #memoryUsage}.
   */
  Reply<List<Object>> batchCuts(List<byte[]> keys, long budget, int cap);

  /**
   * Up to {@code count} keys of a slot and their MIGRATE batches (see {@link #batchCuts}); {@code
   * cuts} fails with TRYAGAIN when a key vanished between the two.
   */
  record Scan(List<byte[]> keys, Reply<List<Object>> cuts) {}

  /**
   * {@link #keysInSlot} and {@link #batchCuts} of one slot. Here two commands, waited for at once;
   * a node that runs scripts answers both in one script call (see {@code LettuceSlotPipeline}), and
   * a null scan means it refused the script: use {@link #scanned}.
   */
  default Reply<Scan> scan(int slot, int count, long budget, int cap) {
    return Reply.done(address(), "scan of slot " + slot, scanSeparately(slot, count, budget, cap));
  }

  /** The scan a {@link #scan} call answered, asking with two commands when it was refused. */
  default Scan scanned(Reply<Scan> reply, int slot, int count, long budget, int cap) {
    Scan s = reply.get();
    return s != null ? s : scanSeparately(slot, count, budget, cap);
  }

  /** {@link #scan} as two commands: {@code GETKEYSINSLOT}, then the cuts of the keys it named. */
  default Scan scanSeparately(int slot, int count, long budget, int cap) {
    List<byte[]> keys = keysInSlot(slot, count).get();
    return new Scan(
        keys,
        keys.isEmpty()
            ? Reply.done(address(), "EVAL batch cuts", List.of())
            : batchCuts(keys, budget, cap));
  }

  /** {@code MIGRATE host port "" 0 timeout [REPLACE] [AUTH ...] KEYS ...}, all keys of one slot. */
  Reply<String> migrate(NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis);

  /**
   * On a node that is meeting the cluster and owns no slot: records, for each of {@code owners}
   * that the node already knows by id, that owner's slots ({@code CLUSTER SETSLOT slot NODE
   * owner}), checking and setting in one step on the node so that no command runs between them (one
   * small script call: the slots travel as ranges). The reply lists the owners told; an owner the
   * node does not know yet is left out, as is every owner when the node runs no scripts (it then
   * learns them by gossip). An empty map only opens the connection and asks whether the node runs
   * scripts.
   */
  default Reply<List<String>> teachKnownOwners(java.util.Map<String, List<Integer>> owners) {
    return Reply.done(address(), "teach slot owners", List.of());
  }

  /** False once the connection is closed (by either side); a closed pipeline answers nothing. */
  default boolean isOpen() {
    return true;
  }

  @Override
  void close();

  /**
   * A pending reply; {@link #get} throws {@link RedisAdminException} naming the node and command.
   */
  final class Reply<T> {
    private final NodeAddress node;
    private final String what;
    private final CompletableFuture<T> future;
    private final Runnable flush;
    private volatile long answeredAt;

    public Reply(NodeAddress node, String what, CompletableFuture<T> future, Runnable flush) {
      this.node = node;
      this.what = what;
      // Stamped by the thread that reads the reply off the socket, before any waiter wakes up.
      this.future = future.whenComplete((v, e) -> answeredAt = System.nanoTime());
      this.flush = flush;
    }

    /** A reply already known, for fakes of this interface. */
    public static <T> Reply<T> done(NodeAddress node, String what, T value) {
      return new Reply<>(node, what, CompletableFuture.completedFuture(value), () -> {});
    }

    /** A refusal already known, for fakes of this interface. */
    public static <T> Reply<T> failed(NodeAddress node, String what, RedisAdminException e) {
      return new Reply<>(node, what, CompletableFuture.failedFuture(e), () -> {});
    }

    public T get() {
      flush.run();
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisAdminException(
            RedisErrorKind.UNKNOWN, node + ": interrupted during " + what, e);
      } catch (ExecutionException e) {
        throw Failures.translate(node, what, e.getCause());
      }
    }

    /**
     * When the reply arrived ({@link System#nanoTime}), waiting for it first: how the migrator
     * measures how long the node spent on a command.
     */
    public long answeredAt() {
      failure();
      return answeredAt;
    }

    /** Whether the reply has arrived (or the command failed), without waiting or flushing. */
    public boolean isDone() {
      return future.isDone();
    }

    /** The failure if the command failed, null if it succeeded. */
    public RedisAdminException failure() {
      try {
        get();
        return null;
      } catch (RedisAdminException e) {
        return e;
      }
    }

    /** The error message if the command failed, null if it succeeded. */
    public String error() {
      RedisAdminException f = failure();
      return f == null ? null : f.getMessage();
    }
  }

  /** Waits for every reply; the first failure is thrown after all have arrived. */
  static <T> List<T> await(List<Reply<T>> replies) {
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
  static <I, T> List<T> each(List<I> items, Function<I, Reply<T>> command) {
    List<Reply<T>> replies = new ArrayList<>(items.size());
    for (I i : items) {
      replies.add(command.apply(i));
    }
    return await(replies);
  }
}
