package io.slotwise.engine.local;

import java.nio.file.Path;

/**
 * What a local cluster should look like and where it lives.
 *
 * @param home the directory under which the cluster gets its own folder {@code home/name}
 * @param port the port every node listens on, each on its own loopback address; 0 picks a free port
 *     per node (tests)
 * @param redisServer path of the {@code redis-server} binary
 * @param password null for no authentication
 */
public record LocalClusterSpec(
    String name,
    int shards,
    int replicas,
    Path home,
    int port,
    String redisServer,
    int nodeTimeoutMillis,
    String password,
    boolean appendOnly) {

  public LocalClusterSpec {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
      throw new LocalClusterException(
          LocalClusterException.Kind.NAME,
          "a cluster name is 1-40 lowercase letters, digits or '-', got '" + name + "'");
    }
    if (shards < 3) {
      throw new LocalClusterException(
          LocalClusterException.Kind.SHARDS,
          "a cluster needs at least 3 shards (Redis Cluster needs 3 primaries), got " + shards);
    }
    if (shards > 200) {
      throw new LocalClusterException(
          LocalClusterException.Kind.SHARDS,
          "a local cluster has at most 200 shards, got " + shards);
    }
    if (replicas < 0 || replicas > 5) {
      throw new LocalClusterException(
          LocalClusterException.Kind.REPLICAS,
          "replicas per shard must be between 0 and 5, got " + replicas);
    }
    if (port < 0 || port > 55535) {
      throw new LocalClusterException(
          LocalClusterException.Kind.PORT,
          "the nodes' port must be between 1 and 55535 (the cluster bus uses port + 10000), got "
              + port);
    }
  }

  /** Like a record's, but the password is never shown. */
  @Override
  public String toString() {
    return "LocalClusterSpec[name="
        + name
        + ", shards="
        + shards
        + ", replicas="
        + replicas
        + ", home="
        + home
        + ", port="
        + port
        + ", redisServer="
        + redisServer
        + ", nodeTimeoutMillis="
        + nodeTimeoutMillis
        + ", password="
        + (password == null ? "none" : "****")
        + ", appendOnly="
        + appendOnly
        + "]";
  }

  public int nodeCount() {
    return shards * (1 + replicas);
  }

  public Path clusterDir() {
    return home.resolve(name);
  }

  public LocalClusterSpec withShards(int newShards, int newReplicas) {
    return new LocalClusterSpec(
        name,
        newShards,
        newReplicas,
        home,
        port,
        redisServer,
        nodeTimeoutMillis,
        password,
        appendOnly);
  }
}
