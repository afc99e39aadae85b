package io.slotwise.engine.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds {@code redis-server} (or {@code valkey-server}): an explicit path, {@code
 * SLOTWISE_REDIS_SERVER}, or the PATH; and the command-line client that goes with it.
 *
 * <p>A {@code SLOTWISE_REDIS_SERVER} that names no executable file is an error, never a reason to
 * fall back to the PATH: a test run meant for Valkey must not quietly run on Redis.
 */
public final class RedisServerBinary {
  /** The environment variable naming the server binary, for tests, benchmarks and the CLI. */
  public static final String SERVER_ENV = "SLOTWISE_REDIS_SERVER";

  /** The environment variable naming the client binary ({@code redis-cli}, {@code valkey-cli}). */
  public static final String CLI_ENV = "SLOTWISE_REDIS_CLI";

  private static final String[] SERVER_FALLBACKS = {
    "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"
  };

  private RedisServerBinary() {}

  public static Optional<String> find(String explicit) {
    return find(explicit, System.getenv());
  }

  static Optional<String> find(String explicit, Map<String, String> env) {
    if (explicit != null && !explicit.isBlank()) {
      return Files.isExecutable(Path.of(explicit)) ? Optional.of(explicit) : Optional.empty();
    }
    String named = env.get(SERVER_ENV);
    if (named != null && !named.isBlank()) {
      return Files.isExecutable(Path.of(named)) ? Optional.of(named) : Optional.empty();
    }
    Optional<String> onPath = onPath(env, "redis-server", "valkey-server");
    if (onPath.isPresent()) {
      return onPath;
    }
    for (String fallback : SERVER_FALLBACKS) {
      if (Files.isExecutable(Path.of(fallback))) {
        return Optional.of(fallback);
      }
    }
    return Optional.empty();
  }

  /** The binary, or an exception whose one line says how to get it. */
  public static String require(String explicit) {
    return require(explicit, System.getenv());
  }

  static String require(String explicit, Map<String, String> env) {
    return find(explicit, env)
        .orElseThrow(
            () ->
                new LocalClusterException(
                    LocalClusterException.Kind.REDIS_SERVER, why(explicit, env)));
  }

  private static String why(String explicit, Map<String, String> env) {
    if (explicit != null && !explicit.isBlank()) {
      return "the redis-server binary " + explicit + " is not an executable file";
    }
    String named = env.get(SERVER_ENV);
    if (named != null && !named.isBlank()) {
      return SERVER_ENV + " names " + named + ", which is not an executable file";
    }
    return "redis-server not found on PATH; install it (Debian/Ubuntu: apt-get install redis-server)";
  }

  /**
   * The command-line client that goes with {@code server}: {@code SLOTWISE_REDIS_CLI}, else the
   * client next to the server named after it ({@code valkey-server} → {@code valkey-cli}), else
   * {@code redis-cli} or {@code valkey-cli} next to it, else on the PATH.
   */
  public static Optional<String> findCli(String server) {
    return findCli(server, System.getenv());
  }

  static Optional<String> findCli(String server, Map<String, String> env) {
    String named = env.get(CLI_ENV);
    if (named != null && !named.isBlank()) {
      return Files.isExecutable(Path.of(named)) ? Optional.of(named) : Optional.empty();
    }
    Path serverPath = Path.of(server);
    String serverName = serverPath.getFileName().toString();
    String[] siblings =
        serverName.endsWith("-server")
            ? new String[] {
              serverName.substring(0, serverName.length() - "server".length()) + "cli",
              "redis-cli",
              "valkey-cli"
            }
            : new String[] {"redis-cli", "valkey-cli"};
    for (String sibling : siblings) {
      Path candidate = serverPath.resolveSibling(sibling);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return serverName.startsWith("valkey")
        ? onPath(env, "valkey-cli", "redis-cli")
        : onPath(env, "redis-cli", "valkey-cli");
  }

  /**
   * The client that goes with {@code server}, or an exception whose one line says how to get it.
   */
  public static String requireCli(String server) {
    return requireCli(server, System.getenv());
  }

  static String requireCli(String server, Map<String, String> env) {
    return findCli(server, env)
        .orElseThrow(
            () -> {
              String named = env.get(CLI_ENV);
              return new LocalClusterException(
                  LocalClusterException.Kind.REDIS_SERVER,
                  named != null && !named.isBlank()
                      ? CLI_ENV + " names " + named + ", which is not an executable file"
                      : "no redis-cli or valkey-cli next to "
                          + server
                          + " nor on PATH; set "
                          + CLI_ENV);
            });
  }

  /**
   * How to call the client of {@code server} in a hint printed for a person: its bare name when the
   * PATH finds that very file under it, else its path; {@code redis-cli} when there is none.
   */
  public static String cliCommand(String server) {
    return cliCommand(server, System.getenv());
  }

  static String cliCommand(String server, Map<String, String> env) {
    Optional<String> cli = findCli(server, env);
    if (cli.isEmpty()) {
      return "redis-cli";
    }
    String name = Path.of(cli.get()).getFileName().toString();
    Optional<String> byName = onPath(env, name);
    return byName.isPresent() && samePath(byName.get(), cli.get()) ? name : cli.get();
  }

  private static boolean samePath(String a, String b) {
    return Path.of(a).toAbsolutePath().normalize().equals(Path.of(b).toAbsolutePath().normalize());
  }

  private static Optional<String> onPath(Map<String, String> env, String... names) {
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
    }
    return Optional.empty();
  }
}
