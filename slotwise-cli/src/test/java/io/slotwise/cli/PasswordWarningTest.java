package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A password on the command line is visible to others: say so once, and name the safe way. */
class PasswordWarningTest {

  @Test
  void passwordOnTheCommandLineWarnsAndNamesTheEnvironmentVariable() {
    // Port 1 on loopback refuses at once: the command fails fast after parsing its options.
    CommandRun run = CommandRun.of("cluster", "check", "127.0.0.1:1", "--password", "hunter2");

    assertThat(run.err().lines().filter(l -> l.startsWith("warning:")))
        .containsExactly(AuthOptions.WARNING);
    assertThat(AuthOptions.WARNING).contains("SLOTWISE_PASSWORD");
    assertThat(run.err() + run.out()).doesNotContain("hunter2");
  }

  @Test
  void noPasswordOnTheCommandLineNoWarning() {
    CommandRun run = CommandRun.of("cluster", "check", "127.0.0.1:1");

    assertThat(run.err()).doesNotContain("warning:");
  }
}
