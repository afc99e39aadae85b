package io.slotwise.cli;

import io.slotwise.engine.execute.OperationTimeoutException;
import io.slotwise.engine.local.LocalClusterException;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.redis.RedisAdminException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code slotwise} command. */
@Command(
    name = "slotwise",
    mixinStandardHelpOptions = true,
    version = "slotwise 0.1.0",
    description = "Runs Redis Cluster and keeps it healthy.",
    subcommands = {LocalCommand.class, ClusterCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line wired with Slotwise's error handling: one line per error, no stack traces. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          cmd.getErr().println("error: " + message(ex));
          cmd.getErr().flush();
          return 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr()
              .println(
                  "error: "
                      + ex.getMessage().replace('\n', ' ')
                      + " (see '"
                      + cmd.getCommandSpec().qualifiedName()
                      + " --help')");
          cmd.getErr().flush();
          return 2;
        });
    return cl;
  }

  static String message(Throwable ex) {
    if (ex instanceof RedisAdminException
        || ex instanceof PlanningException
        || ex instanceof LocalClusterException
        || ex instanceof OperationTimeoutException
        || ex instanceof IllegalArgumentException
        || ex instanceof UserError) {
      return ex.getMessage();
    }
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
