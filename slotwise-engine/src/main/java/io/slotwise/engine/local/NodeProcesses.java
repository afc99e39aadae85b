package io.slotwise.engine.local;

import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Starts, waits for and stops the {@code redis-server} processes of one local cluster. */
final class NodeProcesses {
  private final RedisAdmin admin;

  NodeProcesses(RedisAdmin admin) {
    this.admin = admin;
  }

  /** Starts every node whose process is gone, then waits until every node answers. */
  void startAll(List<RedisProcess> nodes, String redisServer) {
    for (RedisProcess p : nodes) {
      if (!p.alive()) {
        start(p, redisServer);
      }
    }
    for (RedisProcess p : nodes) {
      awaitAnswer(p);
    }
  }

  void start(RedisProcess p, String redisServer) {
    try {
      admin.forget(p.address());
      p.start(redisServer);
    } catch (IOException e) {
      throw new LocalClusterException("cannot start " + redisServer + ": " + e.getMessage());
    }
  }

  void awaitAnswer(RedisProcess p) {
    new Waiter(Duration.ofSeconds(15), Duration.ofMillis(10))
        .await(
            "for " + p.address() + " to answer",
            () -> {
              if (!p.alive()) {
                throw new LocalClusterException(
                    "redis-server for " + p.address() + " exited: " + p.lastLogLines(3));
              }
              try {
                admin.node(p.address()).ping();
                return null;
              } catch (RedisAdminException e) {
                admin.forget(p.address());
                return e.getMessage();
              }
            });
  }

  /** Stops every node (SHUTDOWN NOSAVE, then signals) and waits until no process is left. */
  void stopAll(List<RedisProcess> nodes) {
    for (RedisProcess p : nodes) {
      if (p.alive()) {
        try {
          admin.node(p.address()).shutdownNoSave();
        } catch (RedisAdminException ignored) {
          // the signal below stops it
        }
      }
    }
    for (RedisProcess p : nodes) {
      stop(p);
    }
  }

  /** Stops one node by signal and drops its connection. */
  void stop(RedisProcess p) {
    p.kill();
    admin.forget(p.address());
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new LocalClusterException("cannot delete " + dir + ": " + e.getMessage());
    }
  }
}
