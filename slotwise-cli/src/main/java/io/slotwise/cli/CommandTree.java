package io.slotwise.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The verbs of {@code slotwise} and which verb each belongs to. Picocli reflects every class of a
 * command tree when it builds it: for the whole tree that is over a tenth of a second of a short
 * command's start-up (more on a busy machine). So a command line that starts with verbs gets only
 * those built, each with its own options; any other (help, an option first, a mistyped verb) gets
 * the whole tree, and picocli's usual help and errors.
 */
final class CommandTree {
  /** Each command's verbs, in the order help lists them. */
  static final Map<Class<?>, List<Class<?>>> VERBS =
      Map.of(
          Main.class,
          List.of(LocalCommand.class, ClusterCommand.class, OperatorCommand.class),
          LocalCommand.class,
          List.of(
              LocalCommand.Up.class,
              LocalCommand.Status.class,
              LocalCommand.Scale.class,
              LocalCommand.Down.class,
              LocalCommand.ListClusters.class,
              LocalCommand.Supervise.class,
              TrainCommand.class),
          ClusterCommand.class,
          List.of(
              ClusterCommand.Create.class,
              ClusterCommand.Check.class,
              ClusterCommand.Info.class,
              ClusterCommand.AddNode.class,
              ClusterCommand.DelNode.class,
              ClusterCommand.Fix.class,
              ClusterCommand.Failover.class,
              ReshardCommands.Rebalance.class,
              ReshardCommands.Reshard.class,
              ReshardCommands.Drain.class),
          OperatorCommand.class,
          List.of(SimulateApplyCommand.class));

  private CommandTree() {}

  /** The tree pruned to the verbs that {@code args} start with. */
  static CommandLine build(List<String> args) {
    return build(Main.class, args);
  }

  static String name(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }

  /**
   * {@code command} with, when the first of {@code args} names one of its verbs, that verb alone
   * (pruned the same way with the arguments after it), else every verb; {@code args} null builds
   * everything.
   */
  private static CommandLine build(Class<?> command, List<String> args) {
    CommandLine cl = new CommandLine(command);
    List<Class<?>> verbs = VERBS.getOrDefault(command, List.of());
    Class<?> named = null;
    if (args != null && !args.isEmpty()) {
      for (Class<?> v : verbs) {
        if (name(v).equals(args.get(0))) {
          named = v;
        }
      }
    }
    for (Class<?> v : verbs) {
      if (named == null) {
        cl.addSubcommand(build(v, null));
      } else if (v == named) {
        cl.addSubcommand(build(v, args.subList(1, args.size())));
      }
    }
    return cl;
  }
}
