package io.slotwise.operator.model;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code redis.conf} of a cluster's pods, and the split of user directives into those Redis
 * accepts live ({@code CONFIG SET}, no restart) and those that need a restart (part of the pod
 * revision). The file holds no secret: the start command adds {@code requirepass} and {@code
 * masterauth} from the mounted Secret, and the pod's own address, in a file of its own.
 */
public final class RedisConfig {
  /**
   * Directives Redis 7 (and Valkey) accept with {@code CONFIG SET} and apply at once; a change of
   * one of these is applied to the running nodes and does not restart a pod.
   */
  public static final Set<String> LIVE_DIRECTIVES =
      Set.of(
          "maxmemory",
          "maxmemory-policy",
          "maxmemory-samples",
          "maxmemory-eviction-tenacity",
          "maxclients",
          "timeout",
          "tcp-keepalive",
          "loglevel",
          "slowlog-log-slower-than",
          "slowlog-max-len",
          "latency-monitor-threshold",
          "latency-tracking",
          "notify-keyspace-events",
          "hash-max-listpack-entries",
          "hash-max-listpack-value",
          "list-max-listpack-size",
          "list-compress-depth",
          "set-max-intset-entries",
          "set-max-listpack-entries",
          "zset-max-listpack-entries",
          "zset-max-listpack-value",
          "stream-node-max-bytes",
          "stream-node-max-entries",
          "lazyfree-lazy-eviction",
          "lazyfree-lazy-expire",
          "lazyfree-lazy-server-del",
          "lazyfree-lazy-user-del",
          "lazyfree-lazy-user-flush",
          "activedefrag",
          "active-defrag-cycle-min",
          "active-defrag-cycle-max",
          "active-defrag-threshold-lower",
          "active-defrag-threshold-upper",
          "cluster-node-timeout",
          "cluster-require-full-coverage",
          "cluster-allow-reads-when-down",
          "cluster-allow-replica-migration",
          "cluster-replica-validity-factor",
          "cluster-migration-barrier",
          "cluster-replica-no-failover",
          "repl-backlog-size",
          "repl-backlog-ttl",
          "repl-timeout",
          "repl-diskless-sync",
          "repl-diskless-sync-delay",
          "min-replicas-to-write",
          "min-replicas-max-lag",
          "appendfsync",
          "auto-aof-rewrite-percentage",
          "auto-aof-rewrite-min-size",
          "save",
          "hz",
          "dynamic-hz",
          "client-output-buffer-limit",
          "proto-max-bulk-len",
          "client-query-buffer-limit");

  /** Where the pod's data lives: a PVC when persistent, an emptyDir otherwise. */
  public static final String DATA_DIR = "/data";

  private RedisConfig() {}

  public static boolean live(String directive) {
    return LIVE_DIRECTIVES.contains(directive.toLowerCase(Locale.ROOT));
  }

  /** The user's directives that take effect only on a restart, sorted by name. */
  public static Map<String, String> restartRequiring(Map<String, String> config) {
    Map<String, String> out = new TreeMap<>();
    config.forEach(
        (k, v) -> {
          if (!live(k)) {
            out.put(k.toLowerCase(Locale.ROOT), v);
          }
        });
    return out;
  }

  /** The user's directives Redis applies live, sorted by name. */
  public static Map<String, String> liveOnes(Map<String, String> config) {
    Map<String, String> out = new TreeMap<>();
    config.forEach(
        (k, v) -> {
          if (live(k)) {
            out.put(k.toLowerCase(Locale.ROOT), v);
          }
        });
    return out;
  }

  /**
   * The text of {@code redis.conf}: Slotwise's directives, then the user's (which may override).
   */
  public static String render(ClusterSettings s) {
    Map<String, String> d = new TreeMap<>();
    d.put("cluster-node-timeout", "5000");
    d.put("repl-diskless-sync", "yes");
    d.put("repl-diskless-sync-delay", "0");
    if (s.persistent()) {
      d.put("appendonly", "yes");
      d.put("appendfsync", "everysec");
    } else {
      d.put("appendonly", "no");
      d.put("save", "\"\"");
    }
    s.config().forEach((k, v) -> d.put(k.toLowerCase(Locale.ROOT), v));
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by Slotwise for RedisCluster ")
        .append(s.name())
        .append(". No secret here: the password comes from the Secret at start.\n");
    sb.append("port ").append(s.redisPort()).append('\n');
    sb.append("bind 0.0.0.0\n");
    sb.append("protected-mode no\n");
    sb.append("cluster-enabled yes\n");
    sb.append("cluster-config-file ").append(DATA_DIR).append("/nodes.conf\n");
    sb.append("dir ").append(DATA_DIR).append('\n');
    d.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    return sb.toString();
  }
}
