package io.slotwise.engine.testing;

import io.slotwise.engine.redis.NodeClient;
import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fake of our own {@link NodeDirectory} (not of Redis) for unit tests of command order: every
 * command sent to a node, by its admin connection or a pipeline, is recorded in one log in the
 * order sent, as {@code "host:port COMMAND args"}. It simulates just enough for the migrator: slot
 * owners, IMPORTING/MIGRATING flags, keys per slot, MIGRATE with BUSYKEY, and a replication offset
 * that each replica acknowledges only after a number of {@code INFO replication} polls.
 */
public final class FakeCluster implements NodeDirectory {
  private final Map<NodeAddress, RecordingNode> nodes = new LinkedHashMap<>();
  private final List<String> log = new ArrayList<>();
  private final Map<String, RedisErrorKind> failures = new HashMap<>();
  private final Map<NodeAddress, Integer> pipelinesOpened = new HashMap<>();

  public synchronized RecordingNode add(String id, int port) {
    RecordingNode n = new RecordingNode(id, new NodeAddress("127.0.0.1", port));
    nodes.put(n.address, n);
    return n;
  }

  /** The next command logged exactly as {@code entry} fails with an error of this kind. */
  public synchronized void failOn(String entry, RedisErrorKind kind) {
    failures.put(entry, kind);
  }

  public synchronized List<String> log() {
    return List.copyOf(log);
  }

  /** Position of the first log entry equal to {@code entry}, -1 if none. */
  public synchronized int indexOf(String entry) {
    return log.indexOf(entry);
  }

  public List<RecordingNode> nodes() {
    return List.copyOf(nodes.values());
  }

  @Override
  public synchronized NodeClient node(NodeAddress address) {
    return require(address);
  }

  @Override
  public synchronized SlotPipeline pipeline(NodeAddress address) {
    FakePipeline p = new FakePipeline(require(address));
    pipelinesOpened.merge(address, 1, Integer::sum);
    return p;
  }

  /** How many pipelines were opened to the node so far. */
  public synchronized int pipelinesOpened(NodeAddress address) {
    return pipelinesOpened.getOrDefault(address, 0);
  }

  private RecordingNode require(NodeAddress address) {
    RecordingNode n = nodes.get(address);
    if (n == null) {
      throw new RedisAdminException(
          RedisErrorKind.CONNECTION_FAILED, address + ": cannot connect (refused)", null);
    }
    return n;
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** One simulated primary and the replicas that follow it. */
  public final class RecordingNode implements NodeClient {
    public final String id;
    final NodeAddress address;

    /** This node's own view of slot owners. */
    public final Map<Integer, String> owners = new TreeMap<>();

    public final Map<Integer, String> importing = new TreeMap<>();
    public final Map<Integer, String> migrating = new TreeMap<>();

    /** What {@code INFO replication} says of the node's role: {@code master} or {@code slave}. */
    public volatile String role = "master";

    /** Keys by slot; a key's value is a string. */
    public final Map<Integer, Map<String, String>> data = new TreeMap<>();

    /** What {@code INFO server} says: Redis unless {@link #valkey} was called. */
    private Map<String, String> serverInfo = Map.of("redis_version", "7.0.15");

    private long offset;
    private int replicas;
    private int lagPolls;
    private int polls;
    private long acked;

    RecordingNode(String id, NodeAddress address) {
      this.id = id;
      this.address = address;
    }

    /** Makes the node say it is Valkey 8, which holds SETSLOT until its replicas have it. */
    public RecordingNode valkey() {
      serverInfo =
          Map.of("server_name", "valkey", "valkey_version", "8.0.1", "redis_version", "7.2.4");
      return this;
    }

    /** Gives the node replicas that acknowledge writes only after {@code lagPolls} polls. */
    public RecordingNode replicas(int count, int lagPolls) {
      this.replicas = count;
      this.lagPolls = lagPolls;
      return this;
    }

    public RecordingNode put(int slot, String key, String value) {
      data.computeIfAbsent(slot, s -> new LinkedHashMap<>()).put(key, value);
      offset += 10;
      return this;
    }

    public String get(int slot, String key) {
      return data.getOrDefault(slot, Map.of()).get(key);
    }

    public long offset() {
      return offset;
    }

    /** The offset the replicas had acknowledged at the last poll. */
    public long ackedOffset() {
      return acked;
    }

    private void record(String command) {
      synchronized (FakeCluster.this) {
        String entry = address + " " + command;
        log.add(entry);
        RedisErrorKind k = failures.remove(entry);
        if (k != null) {
          throw new RedisAdminException(k, address + ": " + command + " failed: " + k, null);
        }
      }
    }

    private RedisAdminException error(RedisErrorKind kind, String what) {
      return new RedisAdminException(kind, address + ": " + what + " failed: " + kind, null);
    }

    synchronized String setSlot(int slot, String how, String other) {
      record("SETSLOT " + slot + " " + how + (other == null ? "" : " " + other));
      boolean mine = id.equals(owners.get(slot));
      switch (how) {
        case "IMPORTING" -> {
          if (mine) {
            throw error(RedisErrorKind.ERR_NOT_OWNER, "SETSLOT");
          }
          importing.put(slot, other);
        }
        case "MIGRATING" -> {
          if (!mine) {
            throw error(RedisErrorKind.ERR_NOT_OWNER, "SETSLOT");
          }
          migrating.put(slot, other);
        }
        case "NODE" -> {
          if (mine && !other.equals(id) && countKeys(slot) > 0) {
            throw error(RedisErrorKind.UNKNOWN, "SETSLOT NODE while holding keys");
          }
          owners.put(slot, other);
          if (other.equals(id)) {
            importing.remove(slot);
          } else {
            migrating.remove(slot);
          }
        }
        case "STABLE" -> {
          importing.remove(slot);
          migrating.remove(slot);
        }
        default -> throw new IllegalArgumentException(how);
      }
      return "OK";
    }

    public synchronized long countKeys(int slot) {
      return data.getOrDefault(slot, Map.of()).size();
    }

    synchronized List<byte[]> keys(int slot, int count) {
      List<byte[]> out = new ArrayList<>();
      for (String k : data.getOrDefault(slot, Map.of()).keySet()) {
        if (out.size() < count) {
          out.add(bytes(k));
        }
      }
      return out;
    }

    private int slotOf(String key) {
      for (Map.Entry<Integer, Map<String, String>> e : data.entrySet()) {
        if (e.getValue().containsKey(key)) {
          return e.getKey();
        }
      }
      return io.slotwise.engine.topology.HashSlots.slotOf(bytes(key));
    }

    /** MIGRATE: every key the target does not hold (or all, with replace) moves; BUSYKEY else. */
    String doMigrate(NodeAddress target, List<byte[]> keys, boolean replace) {
      StringBuilder cmd = new StringBuilder("MIGRATE " + target + (replace ? " REPLACE" : ""));
      for (byte[] k : keys) {
        cmd.append(' ').append(text(k));
      }
      record(cmd.toString());
      RecordingNode dst = require(target);
      boolean busy = false;
      boolean any = false;
      synchronized (FakeCluster.this) {
        for (byte[] kb : keys) {
          String k = text(kb);
          int slot = slotOf(k);
          String v = data.getOrDefault(slot, Map.of()).get(k);
          if (v == null) {
            continue;
          }
          any = true;
          if (!replace && dst.get(slot, k) != null) {
            busy = true;
            continue;
          }
          dst.restore(slot, k, v);
          data.get(slot).remove(k);
        }
      }
      if (busy) {
        throw error(RedisErrorKind.BUSYKEY, "MIGRATE");
      }
      return any ? "OK" : "NOKEY";
    }

    synchronized void restore(int slot, String key, String value) {
      record("RESTORE-ASKING " + key);
      put(slot, key, value);
    }

    @Override
    public NodeAddress address() {
      return address;
    }

    @Override
    public synchronized Map<String, String> info(String section) {
      if (section.equals("server")) {
        return serverInfo;
      }
      if (!section.equals("replication")) {
        throw new UnsupportedOperationException("INFO " + section);
      }
      polls++;
      if (polls > lagPolls) {
        acked = offset;
        polls = 0;
      }
      record("INFO replication" + (acked >= offset ? " caught-up" : " behind"));
      Map<String, String> out = new LinkedHashMap<>();
      out.put("role", role);
      out.put("connected_slaves", Integer.toString(replicas));
      for (int i = 0; i < replicas; i++) {
        out.put(
            "slave" + i,
            "ip=127.0.0.1,port="
                + (address.port() + 100 + i)
                + ",state=online,offset="
                + acked
                + ",lag=0");
      }
      out.put("master_repl_offset", Long.toString(offset));
      return out;
    }

    @Override
    public void setSlotImporting(int slot, String sourceId) {
      setSlot(slot, "IMPORTING", sourceId);
    }

    @Override
    public void setSlotMigrating(int slot, String targetId) {
      setSlot(slot, "MIGRATING", targetId);
    }

    @Override
    public void setSlotNode(int slot, String ownerId) {
      setSlot(slot, "NODE", ownerId);
    }

    @Override
    public void setSlotStable(int slot) {
      setSlot(slot, "STABLE", null);
    }

    @Override
    public long countKeysInSlot(int slot) {
      record("COUNTKEYSINSLOT " + slot);
      return countKeys(slot);
    }

    @Override
    public List<byte[]> keysInSlot(int slot, int count) {
      record("GETKEYSINSLOT " + slot);
      return keys(slot, count);
    }

    @Override
    public String migrate(
        NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis) {
      return doMigrate(target, keys, replace);
    }

    @Override
    public synchronized boolean existsHere(byte[] key) {
      record("EXISTS " + text(key));
      return data.getOrDefault(slotOf(text(key)), Map.of()).containsKey(text(key));
    }

    @Override
    public synchronized boolean existsImporting(byte[] key) {
      record("ASKING EXISTS " + text(key));
      return data.getOrDefault(slotOf(text(key)), Map.of()).containsKey(text(key));
    }

    @Override
    public synchronized byte[] dump(byte[] key) {
      record("DUMP " + text(key));
      String v = data.getOrDefault(slotOf(text(key)), Map.of()).get(text(key));
      return v == null ? null : bytes(v);
    }

    @Override
    public synchronized byte[] dumpImporting(byte[] key) {
      record("ASKING DUMP " + text(key));
      String v = data.getOrDefault(slotOf(text(key)), Map.of()).get(text(key));
      return v == null ? null : bytes(v);
    }

    @Override
    public synchronized void renameImporting(byte[] key, byte[] newKey) {
      record("RENAME " + text(key) + " " + text(newKey));
      int slot = slotOf(text(key));
      String v = data.get(slot).remove(text(key));
      put(slot, text(newKey), v);
    }

    @Override
    public String ping() {
      return "PONG";
    }

    /** Only this node's own line: its role and the slots it says it owns. */
    @Override
    public synchronized String clusterNodes() {
      StringBuilder slots = new StringBuilder();
      owners.forEach(
          (slot, owner) -> {
            if (owner.equals(id)) {
              slots.append(' ').append(slot);
            }
          });
      return id
          + " "
          + address.host()
          + ":"
          + address.port()
          + "@"
          + (address.port() + 10000)
          + " myself,"
          + role
          + " - 0 0 1 connected"
          + slots
          + "\n";
    }

    @Override
    public Map<String, String> clusterInfo() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String myId() {
      return id;
    }

    @Override
    public List<Long> applicationClientIdleSeconds() {
      return List.of();
    }

    @Override
    public long dbsize() {
      return data.values().stream().mapToLong(Map::size).sum();
    }

    @Override
    public Map<String, String> configGet(String parameter) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void configSet(String parameter, String value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void meet(NodeAddress other, int busPort) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addSlots(SlotSet slots) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delSlots(SlotSet slots) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void replicate(String primaryId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void forget(String nodeId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setConfigEpoch(long epoch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String bumpEpoch() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void failover(FailoverMode mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void reset(boolean hard) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void shutdownNoSave() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  /**
   * A pipeline that runs each command when it is issued, so the log keeps the issue order. Like a
   * real connection it is closed after {@code UNBLOCKED} (Valkey 8 closes it) or a lost connection,
   * and then fails every command unsent.
   */
  private static final class FakePipeline implements SlotPipeline {
    private final RecordingNode node;
    private volatile boolean closed;

    FakePipeline(RecordingNode node) {
      this.node = node;
    }

    private <T> Reply<T> run(String what, java.util.function.Supplier<T> call) {
      if (closed) {
        return Reply.failed(
            node.address,
            what,
            new RedisAdminException(
                RedisErrorKind.CONNECTION_FAILED, node.address + ": connection closed", null));
      }
      try {
        return Reply.done(node.address, what, call.get());
      } catch (RedisAdminException e) {
        if (e.is(RedisErrorKind.UNBLOCKED) || e.is(RedisErrorKind.CONNECTION_FAILED)) {
          closed = true;
        }
        return Reply.failed(node.address, what, e);
      }
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void flush() {}

    @Override
    public NodeAddress address() {
      return node.address;
    }

    @Override
    public Reply<String> setSlotImporting(int slot, String sourceId) {
      return run("SETSLOT", () -> node.setSlot(slot, "IMPORTING", sourceId));
    }

    @Override
    public Reply<String> setSlotMigrating(int slot, String targetId) {
      return run("SETSLOT", () -> node.setSlot(slot, "MIGRATING", targetId));
    }

    @Override
    public Reply<String> setSlotNode(int slot, String ownerId) {
      return run("SETSLOT", () -> node.setSlot(slot, "NODE", ownerId));
    }

    @Override
    public Reply<String> setSlotStable(int slot) {
      return run("SETSLOT", () -> node.setSlot(slot, "STABLE", null));
    }

    @Override
    public Reply<List<byte[]>> keysInSlot(int slot, int count) {
      return run("GETKEYSINSLOT", () -> node.keysInSlot(slot, count));
    }

    @Override
    public Reply<Long> countKeysInSlot(int slot) {
      return run("COUNTKEYSINSLOT", () -> node.countKeysInSlot(slot));
    }

    @Override
    public Reply<Long> memoryUsage(byte[] key) {
      return Reply.done(node.address, "MEMORY USAGE", 10L);
    }

    @Override
    public Reply<List<Object>> batchCuts(List<byte[]> keys, long budget, int cap) {
      List<Object> cuts = List.of((long) keys.size(), 10L * keys.size());
      return Reply.done(node.address, "EVAL", cuts);
    }

    @Override
    public Reply<String> migrate(
        NodeAddress target, List<byte[]> keys, boolean replace, long timeoutMillis) {
      return run("MIGRATE", () -> node.doMigrate(target, keys, replace));
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
