package io.slotwise.cli;

import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code slotwise} command. */
@Command(
    name = "slotwise",
    mixinStandardHelpOptions = true,
    version = "slotwise 0.1.0",
    description = "Runs Redis Cluster and keeps it healthy.")
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private static final boolean DEBUG_FROM_ENV = "1".equals(System.getenv("SLOTWISE_DEBUG"));
  private static volatile boolean debug = DEBUG_FROM_ENV;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an unexpected error (also: SLOTWISE_DEBUG=1).")
  boolean debugOption;

  /** Whether --debug was given anywhere on this command line (it is inherited by every verb). */
  private static boolean debugRequested(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * A command line with every verb, wired with Slotwise's error handling: one line per error, no
   * stack traces.
   */
  public static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: only the verbs they name are built (see {@link
   * CommandTree}), with Slotwise's error handling.
   */
  public static CommandLine commandLine(String[] verbs) {
    CommandLine cl = CommandTree.build(java.util.List.of(verbs));
    cl.setExecutionStrategy(
        parsed -> {
          debug = DEBUG_FROM_ENV || debugRequested(parsed);
          return new CommandLine.RunLast().execute(parsed);
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          PrintWriter err = cmd.getErr();
          err.println("error: " + message(ex));
          if (debug && !expected(ex)) {
            ex.printStackTrace(err);
          }
          err.flush();
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

  /** Failures the engine or the CLI anticipated: their message is all a user needs. */
  static boolean expected(Throwable ex) {
    return ex instanceof EngineException
        || ex instanceof IllegalArgumentException
        || ex instanceof UserError;
  }

  /** What the CLI adds to an engine failure of credentials: how a user supplies them. */
  static final String AUTH_HINT =
      " (set SLOTWISE_PASSWORD or pass --password, and --user for an ACL user)";

  static String message(Throwable ex) {
    if (expected(ex)) {
      return oneLine(ex.getMessage()) + (authFailure(ex) ? AUTH_HINT : "");
    }
    return "internal error, a bug in Slotwise (please report it): "
        + ex.getClass().getSimpleName()
        + ": "
        + oneLine(ex.getMessage())
        + (debug ? "" : " (run with --debug or SLOTWISE_DEBUG=1 for the stack trace)");
  }

  private static boolean authFailure(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EngineException e && e.reason() == Reason.AUTH_FAILED) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(String m) {
    return m == null ? "" : m.replace('\n', ' ');
  }

  public static void main(String[] args) {
    // Netty would otherwise set up Flight Recorder events for its buffers on the first connection,
    // a tenth of a second of a short command's start-up, for recordings nobody makes.
    // Lettuce likewise builds a Flight Recorder event per connection and command group.
    for (String flag : new String[] {"io.netty.jfr.enabled", "io.lettuce.core.jfr"}) {
      if (System.getProperty(flag) == null) {
        System.setProperty(flag, "false");
      }
    }
    int code = commandLine(args).execute(args);
    System.exit(code);
  }
}
