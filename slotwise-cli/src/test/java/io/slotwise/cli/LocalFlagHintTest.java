package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.local.LocalClusterException;
import io.slotwise.engine.local.LocalClusterSpec;
import io.slotwise.engine.local.RedisServerBinary;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine speaks of settings; {@code slotwise local} adds the flag that sets them. */
class LocalFlagHintTest {
  @TempDir Path home;

  @Test
  void engineMessagesNameNoFlag() {
    List<Supplier<Object>> bad =
        List.of(
            () -> spec("Bad Name", 3, 1, 0),
            () -> spec("x", 2, 1, 0),
            () -> spec("x", 201, 1, 0),
            () -> spec("x", 3, 6, 0),
            () -> spec("x", 3, 1, 60000),
            () -> RedisServerBinary.require(home.resolve("no-such-redis-server").toString()));
    for (Supplier<Object> s : bad) {
      try {
        s.get();
        throw new AssertionError("accepted");
      } catch (LocalClusterException e) {
        assertThat(e.getMessage()).doesNotContain("--").doesNotContain("slotwise ");
        assertThat(e.kind()).isNotEqualTo(LocalClusterException.Kind.OTHER);
      }
    }
  }

  @Test
  void theCliAddsTheFlag() {
    assertThat(rejected("local", "up", "--shards", "2", "--dir", home.toString()))
        .isEqualTo(
            "error: a cluster needs at least 3 shards (Redis Cluster needs 3 primaries), got 2"
                + " (--shards)");
    assertThat(rejected("local", "up", "--replicas", "9", "--dir", home.toString()))
        .endsWith("(--replicas)");
    assertThat(rejected("local", "up", "--name", "Bad", "--dir", home.toString()))
        .endsWith("(--name)");
    assertThat(rejected("local", "up", "--port", "60000", "--dir", home.toString()))
        .endsWith("; choose another --port");
    assertThat(
            rejected(
                "local",
                "up",
                "--redis-server",
                home.resolve("nope").toString(),
                "--dir",
                home.toString()))
        .contains("is not an executable file")
        .endsWith("(--redis-server PATH)");
    assertThat(home.toFile().list()).isEmpty();
  }

  private static String rejected(String... args) {
    CommandRun r = CommandRun.of(args);
    assertThat(r.exitCode()).isEqualTo(1);
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }

  private LocalClusterSpec spec(String name, int shards, int replicas, int port) {
    return new LocalClusterSpec(
        name, shards, replicas, home, port, "redis-server", 5000, null, true);
  }
}
