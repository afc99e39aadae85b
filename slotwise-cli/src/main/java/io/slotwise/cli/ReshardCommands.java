package io.slotwise.cli;

import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.migrate.Rebalancer;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.migrate.SlotStatsCollector;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.plan.BalanceBy;
import io.slotwise.engine.plan.RebalancePlan;
import io.slotwise.engine.plan.SlotStats;
import io.slotwise.engine.topology.NodeAddress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rebalance}, {@code reshard} and {@code drain}: the verbs that move data. */
final class ReshardCommands {
  private ReshardCommands() {}

  /** Options shared by the verbs that move data. */
  abstract static class Mover extends ClusterCommand.Verb {
    @Option(
        names = "--dry-run",
        description = "Print the plan (slot ranges, keys, bytes) and change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print a JSON summary at the end.")
    boolean json;

    @Option(names = "--slots-per-group", defaultValue = "64", hidden = true)
    int slotsPerGroup;

    @Option(
        names = "--batch-bytes",
        defaultValue = "4194304",
        description =
            "Largest byte budget of one MIGRATE; the budget adapts below it (default: ${DEFAULT-VALUE}).")
    long batchBytes;

    @Option(
        names = "--migrate-millis",
        defaultValue = "10",
        paramLabel = "MS",
        description =
            "How long one MIGRATE may block a node: the byte budget adapts to stay under it; 0 keeps --batch-bytes fixed (default: ${DEFAULT-VALUE}).")
    long migrateMillis;

    @Option(
        names = "--parallel",
        defaultValue = "4",
        description = "Source-target pairs moving at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--pairs-per-source", defaultValue = "2", hidden = true)
    int pairsPerSource;

    @Option(names = "--pairs-per-target", defaultValue = "2", hidden = true)
    int pairsPerTarget;

    SlotMigrator.Options options() {
      if (batchBytes < 1024) {
        throw new UserError("--batch-bytes must be at least 1024, got " + batchBytes);
      }
      if (migrateMillis < 0) {
        throw new UserError("--migrate-millis must not be negative, got " + migrateMillis);
      }
      if (parallel < 1 || slotsPerGroup < 1 || pairsPerSource < 1 || pairsPerTarget < 1) {
        throw new UserError(
            "--parallel, --slots-per-group, --pairs-per-source and --pairs-per-target must be at least 1");
      }
      SlotMigrator.Options d = SlotMigrator.Options.defaults();
      return new SlotMigrator.Options(
              slotsPerGroup,
              d.keysPerScan(),
              batchBytes,
              d.maxKeysPerBatch(),
              parallel,
              pairsPerSource,
              pairsPerTarget)
          .withMigrateMillis(migrateMillis);
    }

    /** Where progress goes: stderr with --json so stdout holds only JSON. */
    PrintWriter progressOut() {
      return json ? spec.commandLine().getErr() : out();
    }

    /** Runs the planned operation with a progress display and prints the outcome. */
    int run(
        ClusterSession s,
        NodeAddress seed,
        java.util.function.BiFunction<Rebalancer, Boolean, Rebalancer.Outcome> op) {
      DeferredListener deferred = new DeferredListener();
      Rebalancer rebalancer =
          new Rebalancer(
              s.admin,
              s.observer,
              s.waiter,
              options(),
              deferred,
              line -> {
                progressOut().println(line);
                progressOut().flush();
              },
              s.times);
      // Plan first (as a dry run), print it, then carry out that same plan.
      Rebalancer.Outcome planned = op.apply(rebalancer, true);
      RebalancePlan plan = planned.plan();
      PrintWriter p = progressOut();
      for (String line : Rebalancer.describe(planned)) {
        p.println("  " + line);
      }
      p.printf(
          "plan: %d slots, %d keys, %d bytes to move%n",
          plan.moves().size(), plan.keysMoved(), plan.bytesMoved());
      plan.notes().forEach(n -> p.println("note: " + n));
      p.flush();
      Rebalancer.Outcome outcome = planned;
      if (!dryRun && (!plan.moves().isEmpty() || planned.resumedSlots() > 0)) {
        ProgressReporter progress =
            new ProgressReporter(
                p, System.console() != null && !json, plan.keysMoved(), plan.moves().size());
        deferred.delegate = progress;
        outcome =
            planned.resumedSlots() > 0 ? op.apply(rebalancer, false) : rebalancer.carryOut(planned);
        progress.finish();
      }
      printOutcome(s, seed, outcome);
      return 0;
    }

    private void printOutcome(ClusterSession s, NodeAddress seed, Rebalancer.Outcome outcome) {
      RebalancePlan plan = outcome.plan();
      Map<String, Long> measured = plan.after();
      if (outcome.result() != null && plan.by() != BalanceBy.SLOTS) {
        ClusterView after = s.observe(seed);
        SlotStats stats =
            new SlotStatsCollector(s.admin).collect(after, plan.by() == BalanceBy.MEMORY);
        measured = new LinkedHashMap<>();
        for (String id : plan.target().keySet()) {
          long l = 0;
          var node = after.node(id);
          if (node.isPresent()) {
            for (int slot : node.get().self().slots().toArray()) {
              l += stats.weight(plan.by(), slot);
            }
          }
          measured.put(id, l);
        }
      }
      double before = plan.imbalanceBefore();
      double afterPct = RebalancePlan.imbalancePercent(measured, plan.target());
      PrintWriter p = progressOut();
      String unit =
          plan.by() == BalanceBy.SLOTS ? "slots" : plan.by() == BalanceBy.KEYS ? "keys" : "bytes";
      p.printf(
          "imbalance by %s: before %.1f%%, after %.1f%%%s%n",
          unit, before, afterPct, dryRun ? " (planned)" : "");
      for (String id : plan.target().keySet()) {
        p.printf(
            "  %s %-22s %12d -> %12d %s (target %.0f)%n",
            StatusTable.shortId(id),
            outcome.addresses().get(id),
            plan.before().getOrDefault(id, 0L),
            measured.getOrDefault(id, 0L),
            unit,
            plan.target().get(id));
      }
      SlotMigrator.Result r = outcome.result();
      if (r != null) {
        p.printf(
            "moved %d slots, %d keys, %d bytes in %.2f s (%,.0f keys/s)%n",
            r.slots(), r.keys(), r.bytes(), r.seconds(), r.keysPerSecond());
      } else if (!dryRun) {
        p.println(
            outcome.resumedSlots() > 0
                ? "finished the interrupted moves; nothing else to move"
                : plan.notes().isEmpty()
                    ? "already within the threshold: nothing to move"
                    : "no move can improve the balance");
      }
      String time = s.timeLine();
      p.println(time);
      p.flush();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", dryRun);
        m.put("by", unit);
        m.put("slots", r == null ? 0 : r.slots());
        m.put("keys", r == null ? 0 : r.keys());
        m.put("bytes", r == null ? 0 : r.bytes());
        m.put("seconds", r == null ? 0 : r.seconds());
        m.put("keysPerSecond", r == null ? 0 : Math.round(r.keysPerSecond()));
        m.put("plannedSlots", plan.moves().size());
        m.put("plannedKeys", plan.keysMoved());
        m.put("plannedBytes", plan.bytesMoved());
        m.put("resumedSlots", outcome.resumedSlots());
        m.put("imbalanceBefore", Math.round(before * 10) / 10.0);
        m.put("imbalanceAfter", Math.round(afterPct * 10) / 10.0);
        m.put("time", time.substring("time: ".length()));
        out().println(Json.write(m));
        out().flush();
      }
    }
  }

  /**
   * The listener handed to the engine: silent while planning, then forwards to the progress bar.
   */
  static final class DeferredListener implements MigrationListener {
    volatile MigrationListener delegate = MigrationListener.NONE;

    @Override
    public void moved(long keys, long bytes) {
      delegate.moved(keys, bytes);
    }

    @Override
    public void slotsDone(int slots) {
      delegate.slotsDone(slots);
    }

    @Override
    public void warning(String message) {
      delegate.warning(message);
    }
  }

  @Command(
      name = "rebalance",
      mixinStandardHelpOptions = true,
      description = "Even out slots, keys or memory across primaries.")
  static final class Rebalance extends Mover {
    @Parameters(paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Option(names = "--use-empty-primaries", description = "Give slots to primaries that own none.")
    boolean useEmpty;

    @Option(
        names = "--weight",
        paramLabel = "NODE_ID=W",
        description = "Relative weight of a primary (default 1; 0 empties it).")
    List<String> weights = new ArrayList<>();

    @Option(
        names = "--by",
        defaultValue = "slots",
        description = "What to even out: slots, keys or memory (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(
        names = "--threshold",
        paramLabel = "PCT",
        description =
            "Do nothing while every primary is within PCT%% of its target (default: 2 for slots, 5 for keys and memory).")
    Double threshold;

    @Override
    public Integer call() {
      BalanceBy mode =
          switch (by.toLowerCase()) {
            case "slots" -> BalanceBy.SLOTS;
            case "keys" -> BalanceBy.KEYS;
            case "memory" -> BalanceBy.MEMORY;
            default -> throw new UserError("--by must be slots, keys or memory, got '" + by + "'");
          };
      double thr = threshold != null ? threshold : mode == BalanceBy.SLOTS ? 2.0 : 5.0;
      if (thr < 0 || thr > 100) {
        throw new UserError("--threshold must be between 0 and 100, got " + thr);
      }
      try (ClusterSession s = session()) {
        NodeAddress seed = ClusterSession.address(node);
        ClusterView view = s.observe(seed);
        Map<String, Double> w = new HashMap<>();
        for (String spec : weights) {
          int eq = spec.indexOf('=');
          if (eq <= 0) {
            throw new UserError("--weight must be NODE_ID=WEIGHT, got '" + spec + "'");
          }
          double value;
          try {
            value = Double.parseDouble(spec.substring(eq + 1));
          } catch (NumberFormatException e) {
            throw new UserError("--weight " + spec + ": not a number");
          }
          if (value < 0) {
            throw new UserError("--weight " + spec + ": must not be negative");
          }
          w.put(ClusterSession.resolveId(view, spec.substring(0, eq)), value);
        }
        return run(
            s,
            seed,
            (rb, planOnly) ->
                rb.rebalance(
                    view, seed, new Rebalancer.Request(mode, thr, w, useEmpty, null, planOnly)));
      }
    }
  }

  @Command(
      name = "reshard",
      mixinStandardHelpOptions = true,
      description = "Move a number of slots from some primaries to one.")
  static final class Reshard extends Mover {
    @Parameters(paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Option(
        names = "--from",
        required = true,
        split = ",",
        paramLabel = "ID",
        description = "Source primaries (ids or unique prefixes), or 'all'.")
    List<String> from;

    @Option(names = "--to", required = true, paramLabel = "ID", description = "Target primary.")
    String to;

    @Option(
        names = "--slots",
        required = true,
        paramLabel = "N",
        description = "How many slots to move.")
    int slots;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        NodeAddress seed = ClusterSession.address(node);
        ClusterView view = s.observe(seed);
        String target = ClusterSession.resolveId(view, to);
        List<String> sources = new ArrayList<>();
        if (from.size() == 1 && "all".equals(from.get(0))) {
          view.slotOwners().stream()
              .filter(p -> !p.id().equals(target))
              .forEach(p -> sources.add(p.id()));
        } else {
          for (String f : from) {
            sources.add(ClusterSession.resolveId(view, f));
          }
        }
        return run(
            s, seed, (rb, planOnly) -> rb.reshard(view, seed, sources, target, slots, planOnly));
      }
    }
  }

  @Command(
      name = "drain",
      mixinStandardHelpOptions = true,
      description = "Move every slot off a primary.")
  static final class Drain extends Mover {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Parameters(index = "1", paramLabel = "NODE_ID", description = "The primary to empty.")
    String nodeId;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        NodeAddress seed = ClusterSession.address(node);
        ClusterView view = s.observe(seed);
        String id = ClusterSession.resolveId(view, nodeId);
        return run(s, seed, (rb, planOnly) -> rb.drain(view, seed, id, planOnly));
      }
    }
  }
}
