package io.slotwise.engine.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The keys a test wrote and their values, so that it can prove afterwards that the cluster lost
 * none. Writes and reads go straight to the node that owns the key's slot (no redirects), so a key
 * counts as readable only where the cluster says it lives.
 */
public final class KeyLedger implements AutoCloseable {
  private final RedisClient client = RedisClient.create();
  private final String password;
  private final Map<NodeAddress, StatefulRedisConnection<String, String>> connections =
      new HashMap<>();
  private final Map<String, String> written = new LinkedHashMap<>();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public KeyLedger(String password) {
    this.password = password;
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .protocolVersion(ProtocolVersion.RESP2)
            .build());
  }

  public KeyLedger() {
    this(null);
  }

  /** A hash tag whose keys all hash to {@code slot}. */
  public static String tagFor(int slot) {
    for (int i = 0; ; i++) {
      String tag = "t" + i;
      if (HashSlots.slotOf(tag) == slot) {
        return tag;
      }
    }
  }

  /** Writes {@code count} keys spread over the slots, each to its owner. */
  public List<String> writeSpread(ClusterView view, int count) {
    List<String> keys = new ArrayList<>();
    int base = written.size();
    for (int i = 0; i < count; i++) {
      keys.add("key:" + (base + i));
    }
    write(view, keys);
    return keys;
  }

  /** Writes {@code count} keys that all hash to {@code slot}. */
  public List<String> writeInSlot(ClusterView view, int slot, int count) {
    String tag = tagFor(slot);
    List<String> keys = new ArrayList<>();
    int base = written.size();
    for (int i = 0; i < count; i++) {
      keys.add("{" + tag + "}:" + (base + i));
    }
    write(view, keys);
    return keys;
  }

  private void write(ClusterView view, List<String> keys) {
    List<List<String>> owners = view.claimedOwners();
    for (String key : keys) {
      String value = "value-" + run + "-" + key;
      commands(ownerAddress(view, owners, key)).set(key, value);
      written.put(key, value);
    }
  }

  /** Waits until every primary's writes reached all its replicas ({@code WAIT}). */
  public void awaitReplicated(ClusterView view) {
    for (NodeReport p : view.slotOwners()) {
      int replicas = view.replicasOf(p.id()).size();
      if (replicas == 0) {
        continue;
      }
      long acked = commands(p.address()).waitForReplication(replicas, 10_000);
      if (acked < replicas) {
        throw new IllegalStateException(
            p.address()
                + ": only "
                + acked
                + " of "
                + replicas
                + " replicas acknowledged the writes");
      }
    }
  }

  public Map<String, String> written() {
    return Map.copyOf(written);
  }

  /** The slots the written keys hash to. */
  public TreeSet<Integer> slots() {
    TreeSet<Integer> out = new TreeSet<>();
    written.keySet().forEach(k -> out.add(HashSlots.slotOf(k)));
    return out;
  }

  /**
   * The keys that the node owning their slot (as the owners claim in {@code view}) does not return
   * with the value written, each with what went wrong; empty when nothing was lost.
   */
  public List<String> unreadable(ClusterView view) {
    List<List<String>> owners = view.claimedOwners();
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, String> e : written.entrySet()) {
      String key = e.getKey();
      try {
        String got = commands(ownerAddress(view, owners, key)).get(key);
        if (!e.getValue().equals(got)) {
          bad.add(key + " (slot " + HashSlots.slotOf(key) + "): got " + got);
        }
      } catch (RuntimeException ex) {
        bad.add(key + " (slot " + HashSlots.slotOf(key) + "): " + ex.getMessage());
      }
    }
    return bad;
  }

  private static NodeAddress ownerAddress(ClusterView view, List<List<String>> owners, String key) {
    int slot = HashSlots.slotOf(key);
    List<String> claim = owners.get(slot);
    if (claim.size() != 1) {
      throw new IllegalStateException(
          "slot " + slot + " has " + claim.size() + " claimants: " + claim);
    }
    return view.node(claim.get(0)).orElseThrow().address();
  }

  /** A plain connection to one node; for tests that write or read outside the ledger. */
  public RedisCommands<String, String> commands(NodeAddress address) {
    StatefulRedisConnection<String, String> c = connections.get(address);
    if (c == null || !c.isOpen()) {
      RedisURI.Builder uri =
          RedisURI.builder()
              .withHost(address.host())
              .withPort(address.port())
              .withTimeout(Duration.ofSeconds(5));
      if (password != null) {
        uri.withPassword(password.toCharArray());
      }
      c = client.connect(uri.build());
      connections.put(address, c);
    }
    return c.sync();
  }

  @Override
  public void close() {
    connections.values().forEach(StatefulRedisConnection::close);
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
