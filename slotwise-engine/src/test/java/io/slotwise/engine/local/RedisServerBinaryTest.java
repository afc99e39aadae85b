package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the server and its client are found, with an environment given to the lookup. */
class RedisServerBinaryTest {
  @TempDir Path dir;

  private Path executable(Path p) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void theEnvironmentVariableWinsOverThePath() throws IOException {
    Path valkey = executable(dir.resolve("valkey/src/valkey-server"));
    executable(dir.resolve("bin/redis-server"));
    Map<String, String> env =
        Map.of("SLOTWISE_REDIS_SERVER", valkey.toString(), "PATH", dir.resolve("bin").toString());
    assertThat(RedisServerBinary.find(null, env)).contains(valkey.toString());
  }

  @Test
  void anEnvironmentVariableNamingNoExecutableIsAnErrorNotAFallbackToThePath() throws IOException {
    executable(dir.resolve("bin/redis-server"));
    String missing = dir.resolve("no-such/valkey-server").toString();
    Map<String, String> env =
        Map.of("SLOTWISE_REDIS_SERVER", missing, "PATH", dir.resolve("bin").toString());
    assertThat(RedisServerBinary.find(null, env)).isEmpty();
    assertThatThrownBy(() -> RedisServerBinary.require(null, env))
        .isInstanceOf(LocalClusterException.class)
        .hasMessage("SLOTWISE_REDIS_SERVER names " + missing + ", which is not an executable file");
  }

  @Test
  void theClientNextToValkeyServerIsValkeyCliEvenWhenRedisCliIsOnThePath() throws IOException {
    Path server = executable(dir.resolve("valkey/src/valkey-server"));
    Path cli = executable(dir.resolve("valkey/src/valkey-cli"));
    executable(dir.resolve("bin/redis-cli"));
    Map<String, String> env = Map.of("PATH", dir.resolve("bin").toString());
    assertThat(RedisServerBinary.findCli(server.toString(), env)).contains(cli.toString());
  }

  @Test
  void theClientIsRedisCliNextToRedisServer() throws IOException {
    Path server = executable(dir.resolve("redis/redis-server"));
    Path cli = executable(dir.resolve("redis/redis-cli"));
    executable(dir.resolve("redis/valkey-cli"));
    assertThat(RedisServerBinary.findCli(server.toString(), Map.of("PATH", "")))
        .contains(cli.toString());
  }

  @Test
  void theClientEnvironmentVariableWinsAndMustNameAnExecutable() throws IOException {
    Path server = executable(dir.resolve("valkey/src/valkey-server"));
    executable(dir.resolve("valkey/src/valkey-cli"));
    Path chosen = executable(dir.resolve("elsewhere/valkey-cli"));
    assertThat(
            RedisServerBinary.findCli(
                server.toString(), Map.of("SLOTWISE_REDIS_CLI", chosen.toString())))
        .contains(chosen.toString());
    String missing = dir.resolve("nothing-here").toString();
    assertThatThrownBy(
            () ->
                RedisServerBinary.requireCli(
                    server.toString(), Map.of("SLOTWISE_REDIS_CLI", missing)))
        .hasMessage("SLOTWISE_REDIS_CLI names " + missing + ", which is not an executable file");
  }

  @Test
  void aValkeyServerWithoutASiblingClientFindsValkeyCliOnThePathFirst() throws IOException {
    Path server = executable(dir.resolve("valkey/valkey-server"));
    executable(dir.resolve("bin/redis-cli"));
    Path cli = executable(dir.resolve("bin/valkey-cli"));
    assertThat(
            RedisServerBinary.findCli(
                server.toString(), Map.of("PATH", dir.resolve("bin").toString())))
        .contains(cli.toString());
  }

  @Test
  void theConnectHintUsesTheBareNameOnlyWhenThePathFindsThatClient() throws IOException {
    Path bin = dir.resolve("bin");
    Path server = executable(bin.resolve("redis-server"));
    executable(bin.resolve("redis-cli"));
    assertThat(RedisServerBinary.cliCommand(server.toString(), Map.of("PATH", bin.toString())))
        .isEqualTo("redis-cli");
    Path valkey = executable(dir.resolve("valkey/src/valkey-server"));
    Path valkeyCli = executable(dir.resolve("valkey/src/valkey-cli"));
    assertThat(RedisServerBinary.cliCommand(valkey.toString(), Map.of("PATH", bin.toString())))
        .isEqualTo(valkeyCli.toString());
  }
}
