package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.local.RedisServerBinary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotwise local up} in the foreground, as a real process: a crashed node is restarted on
 * its data and rejoins, and stopping the command (SIGTERM, what Ctrl-C amounts to for the JVM)
 * stops every node and keeps the data for the next {@code up}.
 */
class LocalForegroundIT {
  @TempDir Path home;
  private Process up;

  @AfterEach
  void stop() throws Exception {
    if (up != null && up.isAlive()) {
      up.destroyForcibly();
    }
    for (long pid : nodePids()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private List<Long> nodePids() throws Exception {
    List<Long> pids = new ArrayList<>();
    Path dir = home.resolve("fg");
    if (!Files.isDirectory(dir)) {
      return pids;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path node : s.filter(p -> p.getFileName().toString().startsWith("node-")).toList()) {
        Path pid = node.resolve("slotwise.pid");
        if (Files.exists(pid)) {
          pids.add(Long.parseLong(Files.readString(pid).trim()));
        }
      }
    }
    return pids;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void restartsACrashedNodeAndStopsEverythingOnTermination() throws Exception {
    Path log = home.resolve("up.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    up =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "local",
                "up",
                "--name",
                "fg",
                "--dir",
                home.toString(),
                "--port",
                "0",
                "--node-timeout",
                "2000")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(log).contains("keeping the cluster healthy"));
    // The client that goes with the server under test: redis-cli, or valkey-cli next to Valkey.
    String cli = RedisServerBinary.cliCommand(RedisServerBinary.require(null));
    assertThat(Files.readString(log)).contains("connect: " + cli + " -c -h 127.");
    List<Long> pids = nodePids();
    assertThat(pids).hasSize(6).allMatch(LocalForegroundIT::alive);

    ProcessHandle victim = ProcessHandle.of(pids.get(1)).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Files.readString(log).contains("restarted it on its data directory")
                    && Files.readString(log).contains("cluster healthy again"));
    List<Long> after = nodePids();
    assertThat(after).hasSize(6).allMatch(LocalForegroundIT::alive);
    assertThat(after.get(1)).isNotEqualTo(pids.get(1));

    up.destroy(); // SIGTERM
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(after).noneMatch(LocalForegroundIT::alive);
    assertThat(home.resolve("fg").resolve("cluster.properties")).exists();
    Optional<String> stopped =
        Files.readAllLines(log).stream().filter(l -> l.startsWith("stopping 6 nodes")).findFirst();
    assertThat(stopped).isPresent();
  }
}
