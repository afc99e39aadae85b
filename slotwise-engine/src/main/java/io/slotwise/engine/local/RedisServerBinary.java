package io.slotwise.engine.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds {@code redis-server}: an explicit path, {@code SLOTWISE_REDIS_SERVER}, or the PATH. */
public final class RedisServerBinary {
  private RedisServerBinary() {}

  public static Optional<String> find(String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return Files.isExecutable(Path.of(explicit)) ? Optional.of(explicit) : Optional.empty();
    }
    String env = System.getenv("SLOTWISE_REDIS_SERVER");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Optional.of(env);
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      for (String name : new String[] {"redis-server", "valkey-server"}) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
    }
    for (String fallback :
        new String[] {
          "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"
        }) {
      if (Files.isExecutable(Path.of(fallback))) {
        return Optional.of(fallback);
      }
    }
    return Optional.empty();
  }

  /** The binary, or an exception whose one line says how to get it. */
  public static String require(String explicit) {
    return find(explicit)
        .orElseThrow(
            () ->
                new LocalClusterException(
                    LocalClusterException.Kind.REDIS_SERVER,
                    explicit != null && !explicit.isBlank()
                        ? "the redis-server binary " + explicit + " is not an executable file"
                        : "redis-server not found on PATH; install it (Debian/Ubuntu: apt-get install redis-server)"));
  }
}
