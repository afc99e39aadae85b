package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.testing.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slotwise local up --detach}, {@code status} and {@code down}: nothing outlives down. */
class LocalCommandIT {
  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  @Test
  void detachedClusterIsShownAndStoppedWithEveryProcess() throws IOException {
    CommandRun up =
        CommandRun.of(
            "local", "up", "--detach", "--port", "0", "--dir", home.toString(), "--name", "x");
    assertThat(up.exitCode()).as(up.err()).isZero();
    assertThat(up.out()).contains("running in the background (supervisor pid ");
    List<Long> pids = recordedPids(home.resolve("x"));
    assertThat(pids).as("6 nodes and the supervisor").hasSize(7);
    assertThat(pids)
        .allSatisfy(
            pid ->
                assertThat(ProcessHandle.of(pid))
                    .as("pid %d", pid)
                    .hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue()));

    CommandRun status = CommandRun.of("local", "status", "--dir", home.toString(), "--name", "x");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("local cluster 'x': 6 of 6 processes running, supervisor pid ");
    assertThat(status.out().lines().filter(l -> l.contains(" primary ")).count()).isEqualTo(3);
    assertThat(
            status
                .out()
                .lines()
                .filter(l -> l.contains(" replica ") && l.contains("in sync"))
                .count())
        .isEqualTo(3);

    CommandRun down = CommandRun.of("local", "down", "--dir", home.toString(), "--name", "x");
    assertThat(down.exitCode()).as(down.err()).isZero();
    assertThat(down.out()).contains("stopped local cluster 'x' (6 nodes) and deleted its data");

    assertThat(pids)
        .allSatisfy(
            pid ->
                assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("pid %d", pid)
                    .isEmpty());
    assertThat(Leftovers.under(home))
        .as(() -> "left behind:\n" + Leftovers.describe(Leftovers.under(home)))
        .isEmpty();
    assertThat(home.resolve("x")).doesNotExist();
    assertThat(CommandRun.of("local", "list", "--dir", home.toString()).out()).isEmpty();
  }

  /** The pids the cluster's folder records: every node's and the supervisor's. */
  private static List<Long> recordedPids(Path clusterDir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> files = Files.walk(clusterDir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().matches("slotwise\\.pid|supervisor\\.pid"))
              .toList()) {
        pids.add(Long.parseLong(Files.readString(f).trim()));
      }
    }
    return pids;
  }
}
