package io.slotwise.engine.local;

import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code redis-server} process of a local cluster: its configuration file, its data directory,
 * and the operating-system process. The process runs in its own session so a Ctrl-C meant for
 * Slotwise does not reach it; Slotwise stops it explicitly.
 */
public final class RedisProcess {
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final int index;
  private final NodeAddress address;
  private final int busPort;
  private final Path dir;

  public RedisProcess(int index, NodeAddress address, int busPort, Path dir) {
    this.index = index;
    this.address = address;
    this.busPort = busPort;
    this.dir = dir;
  }

  public int index() {
    return index;
  }

  public NodeAddress address() {
    return address;
  }

  public int busPort() {
    return busPort;
  }

  public Path dir() {
    return dir;
  }

  public Path configFile() {
    return dir.resolve("redis.conf");
  }

  public Path logFile() {
    return dir.resolve("redis.log");
  }

  private Path pidFile() {
    return dir.resolve("slotwise.pid");
  }

  /**
   * Writes {@code redis.conf} ({@code 0600}, in a {@code 0700} folder); the password, when set, is
   * only ever written here and in {@code cluster.properties}.
   */
  public void writeConfig(LocalClusterSpec spec) throws IOException {
    PrivateFiles.createDirectories(dir);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "bind " + address.host(),
                "port " + address.port(),
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-port " + busPort,
                "cluster-node-timeout " + spec.nodeTimeoutMillis(),
                "cluster-announce-ip " + address.host(),
                "dir " + dir.toAbsolutePath(),
                "logfile " + logFile().toAbsolutePath(),
                "daemonize no",
                "save \"\"",
                "appendonly " + (spec.appendOnly() ? "yes" : "no"),
                "repl-diskless-sync yes",
                "repl-diskless-sync-delay 0",
                "protected-mode " + (spec.password() == null ? "no" : "yes")));
    if (spec.password() != null) {
      lines.add("requirepass " + quoted(spec.password()));
      lines.add("masterauth " + quoted(spec.password()));
    }
    PrivateFiles.write(configFile(), String.join("\n", lines) + "\n");
  }

  /**
   * {@code value} as one double-quoted redis.conf argument that Redis reads back exactly: inside
   * double quotes Redis turns {@code \\}, {@code \"}, {@code \n}, {@code \r}, {@code \t} and {@code
   * \xHH} into the characters they name, so a backslash, a quote and every control character is
   * escaped. The value thus stays on its line and cannot add a directive.
   */
  static String quoted(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Starts the server and records its pid; does not wait for it to answer. */
  public long start(String redisServer) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      cmd.add(SETSID.toString());
    }
    cmd.add(redisServer);
    cmd.add(configFile().toAbsolutePath().toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
    Process p = pb.start();
    Files.writeString(pidFile(), Long.toString(p.pid()));
    return p.pid();
  }

  /** The live process, if the recorded pid still runs a redis-server. */
  public Optional<ProcessHandle> process() {
    try {
      if (!Files.exists(pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile()).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(RedisProcess::isRedis);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isRedis(ProcessHandle h) {
    // A recycled pid must never be mistaken for our server.
    return h.info()
        .command()
        .map(c -> c.contains("redis") || c.contains("valkey") || c.contains("setsid"))
        .orElse(true);
  }

  /** Marks the node as removed from its cluster, so no supervisor restarts it. */
  public void markRemoved() throws IOException {
    if (Files.isDirectory(dir)) {
      Files.writeString(dir.resolve("removed"), "removed by slotwise local scale\n");
    }
  }

  /** Whether the node was removed from its cluster (or its directory is gone). */
  public boolean removed() {
    return !Files.isDirectory(dir) || Files.exists(dir.resolve("removed"));
  }

  public boolean alive() {
    return process().isPresent();
  }

  /**
   * The last lines the server logged, for error messages. Redis echoes a configuration line it
   * cannot read; a line that names the password's directives is replaced, so that no message shows
   * the password.
   */
  public String lastLogLines(int n) {
    try {
      List<String> all = new ArrayList<>();
      for (Path p : List.of(dir.resolve("stdout.log"), logFile())) {
        if (Files.exists(p)) {
          for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            all.add(
                line.contains("requirepass") || line.contains("masterauth")
                    ? "(a configuration line that holds the password, not shown)"
                    : line);
          }
        }
      }
      return String.join(" | ", all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills the process (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  public void kill() {
    process()
        .ifPresent(
            h -> {
              h.destroy();
              try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
              } catch (Exception e) {
                h.destroyForcibly();
                try {
                  h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                  // reported by the caller's liveness check
                }
              }
            });
  }

  /** Kills the process at once, as a crash would. */
  public void crash() {
    process()
        .ifPresent(
            h -> {
              h.destroyForcibly();
              try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
              } catch (Exception ignored) {
                // checked by callers
              }
            });
  }
}
