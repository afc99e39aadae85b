package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords of local clusters: any characters work, none can add a directive, none leak. */
class LocalSecretsIT {
  /** A marker that lets the test find the password in any file, argument or log line. */
  private static final String MARKER = "Zq7secret";

  /** Every character redis.conf treats specially, with a leading and a trailing space. */
  private static final String HOSTILE = " a\\b\"c\nd\\x41 e#f" + MARKER + " ";

  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  @Test
  void clusterWithAHostilePasswordFormsAndKeepsItPrivate() throws Exception {
    LocalClusterSpec base = TestClusters.spec(home, 3, 1);
    LocalClusterSpec spec =
        new LocalClusterSpec(
            base.name(),
            3,
            1,
            home,
            0,
            base.redisServer(),
            base.nodeTimeoutMillis(),
            HOSTILE,
            false);
    List<String> log = new ArrayList<>();
    LocalCluster c = LocalCluster.up(spec, line -> log.add(line));
    try {
      assertThat(c.observe().slotOwners()).hasSize(3);
      assertThat(c.observe().reachable()).hasSize(6);
      try (RedisAdmin exact = new RedisAdmin(Credentials.password(HOSTILE));
          RedisAdmin trimmed = new RedisAdmin(Credentials.password(HOSTILE.strip()))) {
        for (RedisProcess n : c.nodes()) {
          assertThat(exact.node(n.address()).ping()).isEqualTo("PONG");
          assertThatThrownBy(() -> trimmed.node(n.address()).ping())
              .isInstanceOf(RedisAdminException.class);
        }
      }

      Set<String> ownerOnly = Set.of("rw-------");
      Path state = spec.clusterDir().resolve("cluster.properties");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spec.clusterDir())))
          .isEqualTo("rwx------");
      for (RedisProcess n : c.nodes()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n.configFile())))
            .isIn(ownerOnly);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n.dir())))
            .isEqualTo("rwx------");
      }
      // Only the two files that need it hold the password.
      try (Stream<Path> files = Files.walk(spec.clusterDir())) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String name = f.getFileName().toString();
          if (name.equals("redis.conf") || name.equals("cluster.properties")) {
            continue;
          }
          assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
              .as(f.toString())
              .doesNotContain(MARKER);
        }
      }
      // Not in any process's arguments, not in what Slotwise logged.
      for (RedisProcess n : c.nodes()) {
        long pid = n.process().orElseThrow().pid();
        String cmdline =
            new String(
                Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                StandardCharsets.ISO_8859_1);
        assertThat(cmdline).doesNotContain(MARKER);
      }
      assertThat(String.join("\n", log)).doesNotContain(MARKER);
      assertThat(c.spec().toString()).doesNotContain(MARKER);
      // Another process reads the same password back from cluster.properties.
      try (LocalCluster again = LocalCluster.open(home, spec.name(), line -> {}).orElseThrow()) {
        assertThat(again.spec().password()).isEqualTo(HOSTILE);
        assertThat(again.observe().unreachable()).isEmpty();
      }
    } finally {
      c.destroy();
      c.close();
    }
  }

  @Test
  void everyPasswordIsReadBackExactlyAndCannotAddADirective() throws Exception {
    for (String pw :
        List.of(
            "back\\slash",
            "quo\"te",
            "new\nline",
            "\\x41",
            "with spaces",
            "#hash",
            " leading and trailing ",
            "x\nrequirepass other",
            "x\" \nport 1",
            "x\"\nport 1\n#")) {
      try (FreshNodes node = FreshNodes.start(home, 1, pw);
          RedisAdmin admin = new RedisAdmin(Credentials.password(pw));
          RedisAdmin other = new RedisAdmin(Credentials.password("other"))) {
        RedisProcess p = node.get(0);
        var client = admin.node(p.address());
        assertThat(client.ping()).as(pw).isEqualTo("PONG");
        assertThat(client.configGet("requirepass").get("requirepass")).as(pw).isEqualTo(pw);
        assertThat(client.configGet("masterauth").get("masterauth")).as(pw).isEqualTo(pw);
        assertThat(client.configGet("port").get("port"))
            .as(pw)
            .isEqualTo(Integer.toString(p.address().port()));
        assertThatThrownBy(() -> other.node(p.address()).ping())
            .isInstanceOf(RedisAdminException.class);
      }
    }
  }

  @Test
  void quotingEscapesEveryCharacterRedisReadsSpecially() {
    assertThat(RedisProcess.quoted("a\\b\"c\nd\re\tf\u0001g #h"))
        .isEqualTo("\"a\\\\b\\\"c\\nd\\re\\tf\\x01g #h\"");
  }

  @Test
  void serverOutputThatEchoesThePasswordLineIsNotRepeated() throws Exception {
    RedisProcess p =
        new RedisProcess(0, new io.slotwise.engine.topology.NodeAddress("127.0.0.1", 1), 2, home);
    Files.writeString(
        home.resolve("stdout.log"),
        "*** FATAL CONFIG FILE ERROR ***\n>>> 'requirepass \"x"
            + MARKER
            + "'\nUnbalanced quotes\n");
    assertThat(p.lastLogLines(3)).doesNotContain(MARKER).contains("Unbalanced quotes");
  }
}
