package io.slotwise.engine.observe;

import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.BitSet;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One line of {@code CLUSTER NODES}: what one node believes about one node (itself or another).
 *
 * @param address null when the node has no address yet ({@code noaddr} or {@code :0})
 * @param primaryId the primary's id for a replica, null otherwise
 * @param migrating slot → target id, for slots this node is migrating away (only on its own line;
 *     on Valkey 8 a replica's line shows its primary's, replicated)
 * @param importing slot → source id, for slots this node is importing (only on its own line)
 */
public record NodeRecord(
    String id,
    NodeAddress address,
    int busPort,
    String hostname,
    Set<String> flags,
    String primaryId,
    long configEpoch,
    boolean linkConnected,
    SlotSet slots,
    Map<Integer, String> migrating,
    Map<Integer, String> importing) {

  public boolean myself() {
    return flags.contains("myself");
  }

  public boolean primary() {
    return flags.contains("master");
  }

  public boolean replica() {
    return flags.contains("slave");
  }

  public boolean failed() {
    return flags.contains("fail");
  }

  public boolean possiblyFailed() {
    return flags.contains("fail?");
  }

  public boolean handshake() {
    return flags.contains("handshake");
  }

  public boolean noAddress() {
    return flags.contains("noaddr") || address == null;
  }

  /** Parses a whole {@code CLUSTER NODES} reply, one record per non-blank line. */
  public static java.util.List<NodeRecord> parseAll(String text) {
    java.util.List<NodeRecord> known = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        known.add(parse(line));
      }
    }
    return java.util.List.copyOf(known);
  }

  /** Parses one line; throws {@link IllegalArgumentException} naming what is malformed. */
  public static NodeRecord parse(String line) {
    String[] f = line.trim().split(" +");
    if (f.length < 8) {
      throw new IllegalArgumentException(
          "CLUSTER NODES line has " + f.length + " fields, expected at least 8: " + line);
    }
    String id = f[0];
    String addrField = f[1];
    String hostname = null;
    int comma = addrField.indexOf(',');
    if (comma >= 0) {
      hostname = addrField.substring(comma + 1);
      if (hostname.isEmpty()) {
        hostname = null;
      }
      addrField = addrField.substring(0, comma);
    }
    int at = addrField.indexOf('@');
    int busPort = 0;
    String hostPort = addrField;
    if (at >= 0) {
      hostPort = addrField.substring(0, at);
      busPort = Integer.parseInt(addrField.substring(at + 1));
    }
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    NodeAddress address = host.isEmpty() || port == 0 ? null : new NodeAddress(host, port);
    Set<String> flags = Set.of(f[2].split(","));
    String primaryId = "-".equals(f[3]) ? null : f[3];
    long epoch = Long.parseLong(f[6]);
    boolean connected = "connected".equals(f[7]);
    BitSet slots = new BitSet(HashSlots.COUNT);
    Map<Integer, String> migrating = new TreeMap<>();
    Map<Integer, String> importing = new TreeMap<>();
    for (int i = 8; i < f.length; i++) {
      String s = f[i];
      if (s.startsWith("[")) {
        String body = s.substring(1, s.length() - 1);
        int mig = body.indexOf("->-");
        int imp = body.indexOf("-<-");
        if (mig > 0) {
          migrating.put(Integer.parseInt(body.substring(0, mig)), body.substring(mig + 3));
        } else if (imp > 0) {
          importing.put(Integer.parseInt(body.substring(0, imp)), body.substring(imp + 3));
        } else {
          throw new IllegalArgumentException("unknown slot state '" + s + "' in: " + line);
        }
      } else {
        int dash = s.indexOf('-');
        if (dash > 0) {
          slots.set(
              Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)) + 1);
        } else {
          slots.set(Integer.parseInt(s));
        }
      }
    }
    return new NodeRecord(
        id,
        address,
        busPort,
        hostname,
        flags,
        primaryId,
        epoch,
        connected,
        SlotSet.of(slots),
        Collections.unmodifiableMap(migrating),
        Collections.unmodifiableMap(importing));
  }
}
