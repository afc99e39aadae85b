package io.slotwise.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of the {@code slotwise} command in this JVM: its exit code and what it printed. */
record CommandRun(int exitCode, String out, String err) {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRun.class);

  static CommandRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    CommandRun run = new CommandRun(code, out.toString(), err.toString());
    LOG.info(
        "slotwise {} -> {}\n--- out ---\n{}--- err ---\n{}",
        String.join(" ", args),
        code,
        run.out,
        run.err);
    return run;
  }

  static CommandRun of(List<String> args) {
    return of(args.toArray(new String[0]));
  }

  List<String> errLines() {
    return err.lines().toList();
  }
}
