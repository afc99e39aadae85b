package io.slotwise.operator.sim;

import io.slotwise.engine.local.RedisProcess;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the simulated kubelet holds for one pod (one uid): the pod IP it got when it started, its
 * container folder, its data folder, and the {@code redis-server} of its redis container. The
 * address is kept across container restarts, as a pod IP is on Kubernetes.
 */
final class SimulatedPod {
  final String namespace;
  final String name;
  final String uid;
  final Path containerDir;
  final Path dataDir;
  final boolean ephemeral;
  final String createdAt = Instant.now().toString();

  /** Why the container is not running yet (image pull, missing config), or null once started. */
  String waitingReason;

  String waitingMessage;
  String host;
  int port;
  char[] password;
  RedisProcess process;
  ProcessHandle handle;
  int restarts;
  boolean ready;
  boolean readinessBlocked;
  String startedAt;
  String readyChangedAt = Instant.now().toString();
  Instant diedAt;
  Instant lastProbe = Instant.EPOCH;

  SimulatedPod(
      String namespace,
      String name,
      String uid,
      Path containerDir,
      Path dataDir,
      boolean ephemeral) {
    this.namespace = namespace;
    this.name = name;
    this.uid = uid;
    this.containerDir = containerDir;
    this.dataDir = dataDir;
    this.ephemeral = ephemeral;
  }

  String key() {
    return namespace + "/" + name;
  }

  boolean running() {
    return handle != null && handle.isAlive();
  }

  /** Writes the container's redis.conf (0600: it holds the password) and starts the server. */
  void start(String redisServer, List<String> config) throws IOException {
    Files.createDirectories(containerDir);
    Files.createDirectories(dataDir);
    process = new RedisProcess(0, new NodeAddress(host, port), port + 10000, containerDir);
    Path conf = process.configFile();
    Files.deleteIfExists(conf);
    Files.createFile(conf);
    conf.toFile().setReadable(false, false);
    conf.toFile().setReadable(true, true);
    Files.write(conf, config, StandardCharsets.UTF_8);
    long pid = process.start(redisServer);
    handle = ProcessHandle.of(pid).orElse(null);
    startedAt = Instant.now().toString();
    diedAt = null;
  }

  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. */
  void stop() {
    if (process != null) {
      process.kill();
    }
    Optional.ofNullable(handle)
        .filter(ProcessHandle::isAlive)
        .ifPresent(
            h -> {
              h.destroyForcibly();
              h.onExit().join();
            });
  }

  /** SIGKILL, as a crash of the container would. */
  void crash() {
    if (process != null) {
      process.crash();
    }
  }

  void forgetPassword() {
    if (password != null) {
      Arrays.fill(password, '\0');
    }
  }

  String lastLogLines() {
    return process == null ? "" : process.lastLogLines(3);
  }
}
