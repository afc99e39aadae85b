package io.slotwise.cli;

import io.slotwise.engine.execute.ClusterCreator;
import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.health.ClusterFixer;
import io.slotwise.engine.health.FixReport;
import io.slotwise.engine.health.Problem;
import io.slotwise.engine.health.SlotKeysCounter;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.plan.CreatePlanner;
import io.slotwise.engine.plan.RepairOptions;
import io.slotwise.engine.plan.RepairPlan;
import io.slotwise.engine.plan.ShardLayout;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slotwise cluster <verb>}: manages any reachable Redis Cluster, like {@code redis-cli
 * --cluster}.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Manage any reachable Redis Cluster through the Redis protocol.")
final class ClusterCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Base of the verbs: output streams and credentials. */
  abstract static class Verb implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin AuthOptions auth;

    ClusterSession session() {
      return new ClusterSession(
          auth.credentials(spec.commandLine().getErr()),
          spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }

    java.io.PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Form a cluster from fresh nodes.")
  static final class Create extends Verb {
    @Parameters(arity = "3..*", paramLabel = "HOST:PORT", description = "The fresh nodes.")
    List<String> nodes;

    @Option(
        names = "--replicas",
        defaultValue = "0",
        description = "Replicas per primary (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Override
    public Integer call() {
      // The engine speaks of replicas per shard; the command line names its option.
      if (replicas < 0) {
        throw new UserError("--replicas must be 0 or more, got " + replicas);
      }
      if (nodes.size() / (replicas + 1) < CreatePlanner.MIN_SHARDS) {
        throw new UserError(
            "a cluster needs at least "
                + CreatePlanner.MIN_SHARDS
                + " primaries: "
                + CreatePlanner.MIN_SHARDS * (replicas + 1)
                + " nodes for --replicas "
                + replicas
                + ", got "
                + nodes.size());
      }
      List<NodeAddress> addresses = nodes.stream().map(ClusterSession::address).toList();
      long start = System.nanoTime();
      try (ClusterSession s = session()) {
        s.restorePending(addresses);
        ClusterCreator creator =
            new ClusterCreator(s.admin, s.observer, s.waiter, s.journal, s.progress());
        List<ShardLayout> layout = creator.plan(addresses, replicas, NodeAddress::host);
        for (int i = 0; i < layout.size(); i++) {
          ShardLayout l = layout.get(i);
          out()
              .println(
                  "shard "
                      + i
                      + ": primary "
                      + l.primary().address()
                      + " slots "
                      + l.slots()
                      + (l.replicas().isEmpty()
                          ? ""
                          : ", replicas "
                              + l.replicas().stream().map(c -> c.address().toString()).toList()));
        }
        creator.create(layout);
        double secs = (System.nanoTime() - start) / 1e9;
        out().println(StatusTable.render(s.observe(addresses.get(0))));
        out()
            .printf(
                "cluster created: %d shards, %d nodes, in %.2f s%n",
                layout.size(), addresses.size(), secs);
      }
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Name every problem; exit 1 if there is one.")
  static final class Check extends Verb {
    @Parameters(paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        ClusterView view = s.observe(ClusterSession.address(node));
        return report(out(), view, SlotKeysCounter.count(s.admin, view));
      }
    }

    static int report(java.io.PrintWriter out, ClusterView view, SlotKeys keys) {
      List<Problem> problems = ClusterChecker.check(view, keys);
      int covered = HashSlots.COUNT - view.uncoveredSlots().size();
      out.printf(
          "%d nodes (%d reachable), %d primaries with slots, %d/%d slots covered, %d keys%n",
          view.size(),
          view.reachable().size(),
          view.slotOwners().size(),
          covered,
          HashSlots.COUNT,
          view.totalKeys());
      if (problems.isEmpty()) {
        out.println("OK: no problems found");
        return 0;
      }
      for (Problem p : problems) {
        out.println(p);
      }
      out.println(problems.size() + " problem(s) found; 'slotwise cluster fix' repairs them");
      return 1;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Show shards, nodes, slots and keys.")
  static final class Info extends Verb {
    @Parameters(paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        ClusterView view = s.observe(ClusterSession.address(node));
        if (json) {
          out().println(Json.write(toMap(view)));
        } else {
          out().print(StatusTable.render(view));
          out().printf("%d keys in %d shards%n", view.totalKeys(), view.slotOwners().size());
        }
      }
      return 0;
    }

    static Map<String, Object> toMap(ClusterView view) {
      List<Object> nodes = new ArrayList<>();
      for (NodeReport r : view.reachable()) {
        NodeRecord self = r.self();
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", self.id());
        n.put("address", r.address().toString());
        n.put("role", self.primary() ? "primary" : "replica");
        n.put("primaryId", self.primaryId());
        n.put("slots", self.slots().size());
        n.put("slotRanges", self.slots().toString());
        n.put("keys", r.keys());
        n.put("usedMemory", r.usedMemory());
        n.put("clusterState", r.clusterInfo().get("cluster_state"));
        nodes.add(n);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("nodes", nodes);
      m.put("unreachable", view.unreachable().stream().map(r -> r.address().toString()).toList());
      m.put("shards", view.slotOwners().size());
      m.put("keys", view.totalKeys());
      m.put("slotsCovered", HashSlots.COUNT - view.uncoveredSlots().size());
      m.put("problems", ClusterChecker.check(view).stream().map(Problem::toString).toList());
      return m;
    }
  }

  @Command(
      name = "add-node",
      mixinStandardHelpOptions = true,
      description = "Add a fresh node as an empty primary or as a replica.")
  static final class AddNode extends Verb {
    @Parameters(index = "0", paramLabel = "NEW_HOST:PORT")
    String fresh;

    @Parameters(index = "1", paramLabel = "EXISTING_HOST:PORT")
    String existing;

    @ArgGroup(exclusive = true)
    ReplicaChoice replica;

    static final class ReplicaChoice {
      @Option(
          names = "--replica-of",
          paramLabel = "NODE_ID",
          description = "Make the new node a replica of this primary.")
      String primaryId;

      @Option(
          names = "--replica",
          description = "Make the new node a replica of the primary with the fewest replicas.")
      boolean auto;
    }

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        NodeAddress ex = ClusterSession.address(existing);
        String primary = null;
        s.restorePending(List.of(ClusterSession.address(fresh)));
        ClusterView view = s.observe(ex);
        if (replica != null && replica.primaryId != null) {
          primary = ClusterSession.resolveId(view, replica.primaryId);
        }
        String id =
            new NodeMembership(s.admin, s.observer, s.waiter, s.journal, s.progress())
                .add(
                    view,
                    ex,
                    ClusterSession.address(fresh),
                    primary,
                    replica != null && replica.auto);
        out().println("added " + fresh + " as node " + id);
      }
      return 0;
    }
  }

  @Command(
      name = "del-node",
      mixinStandardHelpOptions = true,
      description = "Remove a node that owns no slots.")
  static final class DelNode extends Verb {
    @Parameters(index = "0", paramLabel = "EXISTING_HOST:PORT")
    String existing;

    @Parameters(index = "1", paramLabel = "NODE_ID")
    String nodeId;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        NodeAddress ex = ClusterSession.address(existing);
        String id = ClusterSession.resolveId(s.observe(ex), nodeId);
        new NodeMembership(s.admin, s.observer, s.waiter, s.progress()).remove(ex, id);
        out().println("removed node " + id);
      }
      return 0;
    }
  }

  /**
   * {@code fix}: exit 0 when everything check named was repaired and check passes afterwards; 3
   * when some repair was blocked (a node down or unobservable) or failed, or problems remain; 1 on
   * an error (unreachable seed, a failure of Slotwise); 2 on bad usage (picocli's code, which is
   * why "not all repaired" is 3). With {@code --dry-run} it prints the plan and changes nothing
   * (exit 0 when there is nothing to do, 3 otherwise).
   */
  @Command(
      name = "fix",
      mixinStandardHelpOptions = true,
      description = {
        "Repair what check names, losing no key.",
        "Exit codes: 0 all repaired, 3 some repair blocked or failed (or a problem remains),"
            + " 1 error, 2 bad usage."
      })
  static final class Fix extends Verb {
    static final int NOT_ALL_REPAIRED = 3;

    @Parameters(paramLabel = "HOST:PORT", description = "Any node of the cluster.")
    String node;

    @Option(
        names = "--dry-run",
        description = "Print what fix would do, in order, and what is blocked; change nothing.")
    boolean dryRun;

    @Option(
        names = "--accept-data-loss",
        description =
            "Forget a failed primary that owns slots and has no replica, and serve its slots"
                + " again, empty: its keys are gone.")
    boolean acceptDataLoss;

    @Option(
        names = "--takeover",
        description =
            "Promote replicas of failed primaries with CLUSTER FAILOVER TAKEOVER (no election)"
                + " instead of FORCE.")
    boolean takeover;

    @Override
    public Integer call() {
      try (ClusterSession s = session()) {
        NodeAddress seed = ClusterSession.address(node);
        s.observe(seed);
        RepairOptions options = new RepairOptions(acceptDataLoss, takeover);
        ClusterFixer fixer =
            new ClusterFixer(s.admin, s.observer, s.waiter, s.journal, s.progress());
        if (dryRun) {
          return printPlan(fixer.plan(List.of(seed), options));
        }
        FixReport report = fixer.fix(List.of(seed), options);
        if (report.nothingToDo()) {
          out().println("nothing to fix");
        }
        for (FixReport.Outcome o : report.outcomes()) {
          out().println(o.status() == FixReport.Status.BLOCKED ? hint(o.toString()) : o.toString());
        }
        ClusterView after = s.observe(seed);
        int check = Check.report(out(), after, SlotKeysCounter.count(s.admin, after));
        if (!report.allRepaired() || check != 0) {
          out()
              .printf(
                  "%d repaired, %d not repaired, %d blocked%n",
                  report.withStatus(FixReport.Status.REPAIRED).size(),
                  report.withStatus(FixReport.Status.NOT_REPAIRED).size(),
                  report.withStatus(FixReport.Status.BLOCKED).size());
          return NOT_ALL_REPAIRED;
        }
        return 0;
      }
    }

    private int printPlan(RepairPlan plan) {
      PrintWriter out = out();
      if (plan.isEmpty()) {
        out.println("nothing to fix");
        return 0;
      }
      int i = 1;
      for (RepairPlan.Repair r : plan.repairs()) {
        out.println("would " + i++ + ". " + r.what());
      }
      for (RepairPlan.Blocked b : plan.blocked()) {
        out.println(hint("blocked: " + b));
      }
      out.println("dry run: nothing changed; later steps are planned again after each stage runs");
      return NOT_ALL_REPAIRED;
    }

    /** The engine speaks of accepting data loss; the CLI names the option that does it. */
    private static String hint(String line) {
      return line.contains("only accepting the loss of their keys")
          ? line + " (--accept-data-loss)"
          : line;
    }
  }

  @Command(
      name = "failover",
      mixinStandardHelpOptions = true,
      description = "Promote a replica to primary of its shard.")
  static final class Failover extends Verb {
    @Parameters(paramLabel = "REPLICA_HOST:PORT")
    String replica;

    @Option(
        names = "--force",
        description = "Do not wait for the primary's agreement (it is down).")
    boolean force;

    @Option(
        names = "--takeover",
        description = "Do not wait for any agreement (a majority of primaries is down).")
    boolean takeover;

    @Override
    public Integer call() {
      if (force && takeover) {
        throw new UserError("--force and --takeover exclude each other");
      }
      try (ClusterSession s = session()) {
        NodeAddress a = ClusterSession.address(replica);
        ClusterView view = s.observe(a);
        NodeRecord self = view.report(a).orElseThrow().self();
        if (!self.replica()) {
          throw new UserError(a + " is not a replica");
        }
        FailoverMode mode =
            takeover ? FailoverMode.TAKEOVER : force ? FailoverMode.FORCE : FailoverMode.DEFAULT;
        new StepExecutor(s.admin, s.observer, s.waiter, s.progress())
            .run(new Step.Failover(a, mode));
        out().println(a + " is now the primary of its shard");
      }
      return 0;
    }
  }
}
