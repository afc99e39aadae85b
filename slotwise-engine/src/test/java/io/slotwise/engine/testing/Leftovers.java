package io.slotwise.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Processes a test left behind under its own folder: those whose command line names the folder or
 * whose working directory lies in it. {@code redis-server} rewrites its command line to {@code
 * redis-server HOST:PORT [cluster]}, so its working directory is what gives it away.
 */
public final class Leftovers {
  private Leftovers() {}

  public static List<ProcessHandle> under(Path dir) {
    String prefix = dir.toAbsolutePath().normalize().toString();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != ProcessHandle.current().pid())
        .filter(
            h ->
                h.info().commandLine().map(c -> c.contains(prefix)).orElse(false)
                    || cwdUnder(h, prefix))
        .toList();
  }

  private static boolean cwdUnder(ProcessHandle h, String prefix) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "cwd"))
          .toString()
          .startsWith(prefix);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /**
   * Kills what a failed test left under its folder, so that no process outlives the test. Looks
   * again after each round: a supervisor killed late may have restarted a node meanwhile.
   */
  public static void kill(Path dir) {
    for (int round = 0; round < 5; round++) {
      List<ProcessHandle> left = under(dir);
      if (left.isEmpty()) {
        return;
      }
      for (ProcessHandle h : left) {
        h.destroyForcibly();
        try {
          h.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // reported by the next look at the process table
        }
      }
    }
  }

  /** One line per process, for assertion messages. */
  public static String describe(List<ProcessHandle> processes) {
    StringBuilder sb = new StringBuilder();
    for (ProcessHandle h : processes) {
      sb.append(h.pid()).append(' ').append(h.info().commandLine().orElse("?")).append('\n');
    }
    return sb.toString();
  }
}
