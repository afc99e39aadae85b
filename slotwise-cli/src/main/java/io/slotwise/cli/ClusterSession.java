package io.slotwise.cli;

import io.slotwise.engine.execute.ConfigJournal;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.migrate.PhaseTimes;
import io.slotwise.engine.migrate.PhaseTimes.Phase;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.topology.NodeAddress;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/** The admin connection, observer and output of one CLI command against one cluster. */
final class ClusterSession implements AutoCloseable {
  final RedisAdmin admin;
  final ClusterObserver observer;
  final Waiter waiter = Waiter.standard();
  final PrintWriter out;
  private final PrintWriter err;

  /** Where the command's time goes; the JVM's start-up is what passed before this session. */
  final PhaseTimes times = new PhaseTimes();

  final double startupSeconds;

  /**
   * Values {@code cluster create} and {@code add-node} lower for a while, recorded on this machine
   * so that a later command puts back what a killed one left lowered.
   */
  final ConfigJournal journal =
      ConfigJournal.in(LocalCommand.defaultHome().resolve("temporary-config"));

  ClusterSession(Credentials credentials, PrintWriter out) {
    this(credentials, out, out);
  }

  /** {@code err} hears notices that must not mix with a command's output (JSON). */
  ClusterSession(Credentials credentials, PrintWriter out, PrintWriter err) {
    this.admin = new RedisAdmin(credentials);
    this.observer = new ClusterObserver(admin);
    this.out = out;
    this.err = err;
    this.startupSeconds = secondsSinceStart();
  }

  /**
   * Seconds since the command started: since the launcher began (it exports {@code
   * SLOTWISE_LAUNCHED_AT_MS}), else since the JVM started.
   */
  static double secondsSinceStart() {
    long startedMs;
    try {
      startedMs = Long.parseLong(System.getenv().getOrDefault("SLOTWISE_LAUNCHED_AT_MS", ""));
    } catch (NumberFormatException e) {
      startedMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    }
    return Math.max(0, System.currentTimeMillis() - startedMs) / 1000.0;
  }

  /**
   * One line saying where the time went: start-up, then each phase, then the rest (output,
   * connections, shut-down so far).
   */
  String timeLine() {
    double total = secondsSinceStart();
    StringBuilder b = new StringBuilder("time: start-up ").append(seconds(startupSeconds));
    double sum = startupSeconds;
    for (var e : times.seconds().entrySet()) {
      b.append(", ").append(e.getKey().label()).append(' ').append(seconds(e.getValue()));
      sum += e.getValue();
    }
    b.append(", other ").append(seconds(Math.max(0, total - sum)));
    return b.append("; ").append(seconds(total)).append(" in all").toString();
  }

  private static String seconds(double s) {
    return String.format(java.util.Locale.ROOT, "%.2f s", s);
  }

  /** Puts back what an earlier, killed command lowered on these nodes (see {@link #journal}). */
  void restorePending(Collection<NodeAddress> nodes) {
    if (!journal.isEmpty()) {
      for (String line : journal.restore(admin, nodes)) {
        err.println(line);
      }
      err.flush();
    }
  }

  Consumer<String> progress() {
    return line -> {
      out.println(line);
      out.flush();
    };
  }

  /** Observes the cluster from a seed; throws a one-line error when the seed cannot be asked. */
  ClusterView observe(NodeAddress seed) {
    ClusterView view = times.time(Phase.OBSERVATION, () -> observer.observe(List.of(seed)));
    NodeReport r = view.report(seed).orElseThrow();
    if (!r.reachable()) {
      admin.node(seed).ping(); // a seed that still refuses us throws its typed failure (auth)
      throw new UserError(r.error());
    }
    restorePending(view.reachable().stream().map(NodeReport::address).toList());
    return view;
  }

  static NodeAddress address(String text) {
    try {
      return NodeAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** Resolves a full node id or a unique prefix of one. */
  static String resolveId(ClusterView view, String idOrPrefix) {
    List<String> matches =
        view.knownIds().stream().filter(id -> id.startsWith(idOrPrefix)).toList();
    if (matches.isEmpty()) {
      throw new UserError("no node with id " + idOrPrefix + " in the cluster");
    }
    if (matches.size() > 1) {
      throw new UserError(
          "node id prefix " + idOrPrefix + " is ambiguous (" + matches.size() + " nodes)");
    }
    return matches.get(0);
  }

  @Override
  public void close() {
    observer.close();
    admin.close();
  }
}
