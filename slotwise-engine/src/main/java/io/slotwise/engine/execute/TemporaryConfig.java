package io.slotwise.engine.execute;

import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Configuration values lowered on fresh nodes while they form or join a cluster, and put back when
 * closed. A failure either way is reported, never thrown: it only makes the operation slower.
 */
final class TemporaryConfig implements AutoCloseable {
  static final String NODE_TIMEOUT = "cluster-node-timeout";

  /** While forming: keeps Redis's rejoin delay, min(node timeout, 5 s), at 1 s. */
  static final long FORMING_NODE_TIMEOUT = 1000;

  static final String SYNC_DELAY = "repl-diskless-sync-delay";

  private record Saved(NodeAddress node, String parameter) {}

  private final RedisAdmin admin;
  private final Consumer<String> progress;
  private final Map<Saved, String> saved = new LinkedHashMap<>();

  TemporaryConfig(RedisAdmin admin, Consumer<String> progress) {
    this.admin = admin;
    this.progress = progress;
  }

  /** Sets {@code parameter} to {@code value} on the node when its current value is larger. */
  void lower(NodeAddress node, String parameter, long value, String otherwise) {
    try {
      String current = admin.node(node).configGet(parameter).get(parameter);
      if (current != null && Long.parseLong(current) > value) {
        admin.node(node).configSet(parameter, Long.toString(value));
        saved.put(new Saved(node, parameter), current);
      }
    } catch (RedisAdminException | NumberFormatException e) {
      progress.accept("could not lower " + parameter + " on " + node + "; " + otherwise);
    }
  }

  @Override
  public void close() {
    saved.forEach(
        (s, v) -> {
          try {
            admin.node(s.node()).configSet(s.parameter(), v);
          } catch (RedisAdminException e) {
            progress.accept(
                "could not restore "
                    + s.parameter()
                    + " "
                    + v
                    + " on "
                    + s.node()
                    + ": "
                    + e.getMessage());
          }
        });
    saved.clear();
  }
}
