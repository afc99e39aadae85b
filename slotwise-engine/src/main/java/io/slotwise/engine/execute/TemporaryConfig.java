package io.slotwise.engine.execute;

import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Configuration values lowered on fresh nodes while they form or join a cluster, and put back when
 * closed. A failure either way is reported, never thrown: it only makes the operation slower.
 *
 * <p>Each original value is recorded in a {@link ConfigJournal} before it is lowered, so that when
 * this process dies before {@link #close()}, the next run puts it back ({@link
 * ConfigJournal#restore}). A value that cannot be recorded is not lowered.
 */
final class TemporaryConfig implements AutoCloseable {
  static final String NODE_TIMEOUT = "cluster-node-timeout";

  /** While forming: keeps Redis's rejoin delay, min(node timeout, 5 s), at 1 s. */
  static final long FORMING_NODE_TIMEOUT = 1000;

  /**
   * While one node joins: Redis's rejoin delay is never below 0.5 s, so a lower timeout gains
   * nothing. Only the joining node has it, and only for about a second.
   */
  static final long JOINING_NODE_TIMEOUT = 500;

  static final String SYNC_DELAY = "repl-diskless-sync-delay";

  private record Saved(NodeAddress node, String parameter) {}

  private final RedisAdmin admin;
  private final Consumer<String> progress;
  private final ConfigJournal journal;
  private final Map<Saved, String> saved = new LinkedHashMap<>();

  /** Tests set this to stop the process right after a value was lowered. */
  static volatile Runnable afterLowerForTests = () -> {};

  TemporaryConfig(RedisAdmin admin, ConfigJournal journal, Consumer<String> progress) {
    this.admin = admin;
    this.journal = journal;
    this.progress = progress;
  }

  /** Sets {@code parameter} to {@code value} on the node when its current value is larger. */
  void lower(NodeAddress node, String parameter, long value, String otherwise) {
    try {
      String current = admin.node(node).configGet(parameter).get(parameter);
      if (current != null && Long.parseLong(current) > value) {
        journal.record(node, parameter, current, Long.toString(value));
        saved.put(new Saved(node, parameter), current);
        admin.node(node).configSet(parameter, Long.toString(value));
        afterLowerForTests.run();
      }
    } catch (RedisAdminException | NumberFormatException | UncheckedIOException e) {
      progress.accept("could not lower " + parameter + " on " + node + "; " + otherwise);
    }
  }

  @Override
  public void close() {
    saved.forEach(
        (s, v) -> {
          try {
            admin.node(s.node()).configSet(s.parameter(), v);
            journal.forget(s.node(), s.parameter());
          } catch (RedisAdminException | UncheckedIOException e) {
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
