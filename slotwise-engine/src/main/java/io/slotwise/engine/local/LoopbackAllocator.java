package io.slotwise.engine.local;

import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Addresses and ports of local nodes: each cluster gets a loopback block {@code 127.B.*.*} that no
 * other recorded cluster uses, and node {@code i} gets its own address in it.
 */
final class LoopbackAllocator {
  private LoopbackAllocator() {}

  /** A loopback block 127.B.*.* for this cluster that no other recorded cluster uses. */
  static int chooseBlock(Path home, String name) {
    Set<Integer> used = new HashSet<>();
    for (String other : ClusterStateFile.list(home)) {
      used.add(ClusterStateFile.block(home, other));
    }
    int start = 1 + Math.floorMod(name.hashCode(), 254);
    for (int i = 0; i < 254; i++) {
      int b = 1 + Math.floorMod(start - 1 + i, 254);
      if (!used.contains(b)) {
        return b;
      }
    }
    throw new LocalClusterException("no free loopback block left under " + home);
  }

  /** Node {@code index} of the cluster: its address, bus port and data directory. */
  static RedisProcess allocate(LocalClusterSpec spec, int block, int index) {
    String host = "127." + block + "." + (index / 250) + "." + (index % 250 + 1);
    int port = spec.port();
    int bus;
    if (port == 0) {
      port = freePort(host);
      bus = freePort(host);
    } else {
      bus = port + 10000;
      for (int candidate : new int[] {port, bus}) {
        if (!bindable(host, candidate)) {
          throw new LocalClusterException(
              LocalClusterException.Kind.PORT,
              "port " + candidate + " is in use on " + host + " (another process listens on it)");
        }
      }
    }
    return new RedisProcess(
        index, new NodeAddress(host, port), bus, spec.clusterDir().resolve("node-" + index));
  }

  static boolean bindable(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new LocalClusterException("cannot bind " + host + ": " + e.getMessage());
    }
  }
}
