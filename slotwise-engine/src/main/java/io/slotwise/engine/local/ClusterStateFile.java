package io.slotwise.engine.local;

import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code home/name/cluster.properties}: what a local cluster is (its spec, its loopback block and
 * its nodes), so that another Slotwise process can find, inspect, scale and stop it. Replaced
 * atomically on every change.
 */
final class ClusterStateFile {
  static final String NAME = "cluster.properties";

  /** What the file records. */
  record State(LocalClusterSpec spec, int block, List<RedisProcess> nodes) {}

  private ClusterStateFile() {}

  static Path path(Path home, String name) {
    return home.resolve(name).resolve(NAME);
  }

  /** The state recorded under {@code home/name}, if the file exists. */
  static Optional<State> read(Path home, String name) {
    Path state = path(home, name);
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    Properties p = load(state);
    LocalClusterSpec spec =
        new LocalClusterSpec(
            name,
            Integer.parseInt(p.getProperty("shards")),
            Integer.parseInt(p.getProperty("replicas")),
            home,
            Integer.parseInt(p.getProperty("port")),
            p.getProperty("redisServer"),
            Integer.parseInt(p.getProperty("nodeTimeoutMillis")),
            p.getProperty("password"),
            Boolean.parseBoolean(p.getProperty("appendOnly")));
    int count = Integer.parseInt(p.getProperty("nodes"));
    List<RedisProcess> procs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = "node." + i;
      int index = Integer.parseInt(p.getProperty(key + ".index", Integer.toString(i)));
      procs.add(
          new RedisProcess(
              index,
              NodeAddress.parse(p.getProperty(key + ".address")),
              Integer.parseInt(p.getProperty(key + ".bus")),
              home.resolve(name).resolve("node-" + index)));
    }
    return Optional.of(new State(spec, Integer.parseInt(p.getProperty("block")), procs));
  }

  private static Properties load(Path state) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new LocalClusterException("cannot read " + state + ": " + e.getMessage());
    }
    return p;
  }

  /** The loopback block a recorded cluster uses, or -1 when its file cannot be read. */
  static int block(Path home, String name) {
    try (Reader r = Files.newBufferedReader(path(home, name))) {
      Properties p = new Properties();
      p.load(r);
      return Integer.parseInt(p.getProperty("block", "-1"));
    } catch (IOException | NumberFormatException ignored) {
      // an unreadable neighbour cannot claim a block
      return -1;
    }
  }

  /** Names of the clusters recorded under home. */
  static List<String> list(Path home) {
    if (!Files.isDirectory(home)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(home)) {
      return s.filter(d -> Files.exists(d.resolve(NAME)))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  static void write(State st) throws IOException {
    LocalClusterSpec spec = st.spec();
    PrivateFiles.createDirectories(spec.clusterDir());
    Properties p = new Properties();
    p.setProperty("shards", Integer.toString(spec.shards()));
    p.setProperty("replicas", Integer.toString(spec.replicas()));
    p.setProperty("port", Integer.toString(spec.port()));
    p.setProperty("redisServer", spec.redisServer());
    p.setProperty("nodeTimeoutMillis", Integer.toString(spec.nodeTimeoutMillis()));
    p.setProperty("appendOnly", Boolean.toString(spec.appendOnly()));
    p.setProperty("block", Integer.toString(st.block()));
    if (spec.password() != null) {
      p.setProperty("password", spec.password());
    }
    List<RedisProcess> nodes = st.nodes();
    p.setProperty("nodes", Integer.toString(nodes.size()));
    for (int i = 0; i < nodes.size(); i++) {
      RedisProcess n = nodes.get(i);
      p.setProperty("node." + i + ".index", Integer.toString(n.index()));
      p.setProperty("node." + i + ".address", n.address().toString());
      p.setProperty("node." + i + ".bus", Integer.toString(n.busPort()));
    }
    StringWriter w = new StringWriter();
    p.store(w, "slotwise local cluster " + spec.name());
    // Holds the password: 0600 from the start.
    PrivateFiles.write(spec.clusterDir().resolve(NAME), w.toString());
  }
}
