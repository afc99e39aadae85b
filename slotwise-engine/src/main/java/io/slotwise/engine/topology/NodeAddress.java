package io.slotwise.engine.topology;

import java.util.Objects;

/** Where a Redis node listens: a host (IP or name) and a port. */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

  public NodeAddress {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range 1-65535: " + port);
    }
  }

  /** Parses {@code HOST:PORT}; IPv6 hosts may be written {@code [::1]:7000} or {@code ::1:7000}. */
  public static NodeAddress parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("not HOST:PORT: '" + text + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not HOST:PORT: '" + text + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + text + "'");
    }
    return new NodeAddress(host, port);
  }

  @Override
  public int compareTo(NodeAddress o) {
    int c = host.compareTo(o.host);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
