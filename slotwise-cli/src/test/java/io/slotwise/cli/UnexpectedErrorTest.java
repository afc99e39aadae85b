package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.plan.PlanningException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Unexpected internal errors print one line that says so; --debug adds the stack trace. */
class UnexpectedErrorTest {

  @Command(name = "boom")
  static final class Boom implements Runnable {
    @Override
    public void run() {
      Object nothing = null;
      nothing.hashCode();
    }
  }

  @Command(name = "refuse")
  static final class Refuse implements Runnable {
    @Override
    public void run() {
      throw new PlanningException("3 nodes cannot hold 3 shards with 1 replica each");
    }
  }

  private static String[] run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.addSubcommand(new Boom());
    cl.addSubcommand(new Refuse());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  @Test
  void aBugPrintsOneLineThatSaysItIsABugAndHowToSeeTheTrace() {
    String[] r = run("boom");

    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1].lines()).hasSize(1);
    assertThat(r[1])
        .startsWith("error: internal error, a bug in Slotwise")
        .contains("NullPointerException")
        .contains("--debug")
        .contains("SLOTWISE_DEBUG=1");
  }

  @Test
  void debugPrintsTheStackTraceAndOnlyForThatRun() {
    String[] withDebug = run("boom", "--debug");
    String[] after = run("boom");

    assertThat(withDebug[1]).contains("at io.slotwise.cli.UnexpectedErrorTest$Boom.run");
    assertThat(after[1].lines()).hasSize(1);
  }

  @Test
  void anEngineFailureIsItsMessageAloneWithAReasonCode() {
    String[] r = run("refuse", "--debug");

    assertThat(r[1]).isEqualTo("error: 3 nodes cannot hold 3 shards with 1 replica each\n");
    assertThat(new PlanningException("x").reason()).isEqualTo(Reason.INVALID_TOPOLOGY);
    assertThat(Reason.INVALID_TOPOLOGY.code()).isEqualTo("InvalidTopology");
  }
}
