package io.slotwise.engine.execute;

import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A durable record of configuration values that {@link TemporaryConfig} lowered on live nodes, so
 * that a Slotwise process killed before it put them back does not leave them lowered for good.
 *
 * <p>Redis has no place for free-form metadata on a node, so the record lives in a folder of the
 * machine that runs Slotwise: one file per node ({@code HOST_PORT.properties}), each entry {@code
 * parameter = original,lowered}. An entry is written and forced to disk before the {@code CONFIG
 * SET} that lowers the value and removed after the value is put back. {@link #restore} puts back
 * every recorded value whose node still has the lowered one; a value someone changed since is left
 * alone, and an unreachable node keeps its entry for the next run.
 */
public final class ConfigJournal {
  private static final String SUFFIX = ".properties";
  private final Path dir;

  private ConfigJournal(Path dir) {
    this.dir = dir;
  }

  /** A journal in {@code dir} (created on first use). */
  public static ConfigJournal in(Path dir) {
    return new ConfigJournal(dir);
  }

  /** No journal: lowered values are put back only by the process that lowered them. */
  public static ConfigJournal none() {
    return new ConfigJournal(null);
  }

  /** Whether anything is recorded. */
  public boolean isEmpty() {
    return files().isEmpty();
  }

  /**
   * Records, durably, that {@code parameter} was {@code original} before it was set to {@code
   * lowered}.
   */
  public synchronized void record(
      NodeAddress node, String parameter, String original, String lowered) {
    if (dir == null) {
      return;
    }
    Properties p = load(node);
    p.setProperty(parameter, original + "," + lowered);
    store(node, p);
  }

  /** The value was put back: nothing to restore any more. */
  public synchronized void forget(NodeAddress node, String parameter) {
    if (dir == null) {
      return;
    }
    Properties p = load(node);
    p.remove(parameter);
    store(node, p);
  }

  /**
   * Puts back every recorded value on the nodes that answer.
   *
   * @param nodes only these nodes, or every recorded node when null
   * @return one line per value put back
   */
  public synchronized List<String> restore(RedisAdmin admin, Collection<NodeAddress> nodes) {
    List<String> done = new ArrayList<>();
    for (Path f : files()) {
      String name = f.getFileName().toString();
      NodeAddress node = fromFileName(name.substring(0, name.length() - SUFFIX.length()));
      if (node == null || (nodes != null && !nodes.contains(node))) {
        continue;
      }
      Properties p = load(node);
      for (String parameter : p.stringPropertyNames()) {
        String[] v = p.getProperty(parameter).split(",", 2);
        try {
          String current = admin.node(node).configGet(parameter).get(parameter);
          if (v.length == 2 && v[1].equals(current)) {
            admin.node(node).configSet(parameter, v[0]);
            done.add(
                "put back "
                    + parameter
                    + " "
                    + v[0]
                    + " on "
                    + node
                    + " (an earlier run stopped before it could)");
          }
          p.remove(parameter);
        } catch (RedisAdminException e) {
          // unreachable now: the entry stays for the next run
        }
      }
      store(node, p);
    }
    return done;
  }

  private List<Path> files() {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(NodeAddress node) {
    return dir.resolve(node.host() + "_" + node.port() + SUFFIX);
  }

  private static NodeAddress fromFileName(String base) {
    int i = base.lastIndexOf('_');
    if (i <= 0) {
      return null;
    }
    try {
      return new NodeAddress(base.substring(0, i), Integer.parseInt(base.substring(i + 1)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Properties load(NodeAddress node) {
    Properties p = new Properties();
    Path f = file(node);
    if (Files.exists(f)) {
      try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return p;
  }

  /** Replaces the node's file atomically, forced to disk; deletes it when nothing is left. */
  private void store(NodeAddress node, Properties p) {
    Path f = file(node);
    try {
      if (p.isEmpty()) {
        Files.deleteIfExists(f);
        try {
          Files.deleteIfExists(dir); // only when empty: leaves no trace after a clean run
        } catch (java.nio.file.DirectoryNotEmptyException stillUsed) {
          // other nodes' records remain
        }
        return;
      }
      Files.createDirectories(dir);
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "values Slotwise lowered for a while on " + node + ": original,lowered");
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException ignored) {
        // not every file system syncs directories
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
