package io.slotwise.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisCommand;
import io.slotwise.engine.topology.NodeAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's only door to Redis: one admin connection per node, opened on first use and kept.
 * Every failure becomes a {@link RedisAdminException} whose message names the node and the cause.
 * This package is the only one that imports Lettuce.
 */
public final class RedisAdmin implements NodeDirectory, AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * The name our connections carry ({@code CLIENT SETNAME}), so client traffic can be told apart.
   */
  public static final String CLIENT_NAME = "slotwise";

  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  /** Data movement: a MIGRATE of a key of hundreds of MB may legitimately take minutes. */
  static final Duration MIGRATION_TIMEOUT = Duration.ofMinutes(10);

  /**
   * Every other command on the connections that move data (SETSLOT, key counts, our scripts)
   * answers within a second; one unanswered for a minute means the node is stuck, and the caller
   * hears of it then instead of waiting ten.
   */
  static final Duration DATA_COMMAND_TIMEOUT = Duration.ofMinutes(1);

  private final Credentials credentials;
  private final RedisThreads threads;
  private final boolean ownsThreads;
  private final RedisClient client;
  private final RedisClient migrationClient;
  private final Map<NodeAddress, LettuceNodeClient> nodes = new ConcurrentHashMap<>();

  /** An admin with threads of its own (two event loops), shut down by {@link #close()}. */
  public RedisAdmin(Credentials credentials) {
    this(credentials, RedisThreads.create(2), true);
  }

  /** An admin on shared threads, which {@link #close()} leaves running. */
  public RedisAdmin(Credentials credentials, RedisThreads threads) {
    this(credentials, threads, false);
  }

  private RedisAdmin(Credentials credentials, RedisThreads threads, boolean ownsThreads) {
    this.credentials = credentials;
    this.threads = threads;
    this.ownsThreads = ownsThreads;
    this.client = new LeanRedisClient(threads.resources());
    this.client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .protocolVersion(ProtocolVersion.RESP2)
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
            .build());
    this.migrationClient = new LeanRedisClient(threads.resources());
    this.migrationClient.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .protocolVersion(ProtocolVersion.RESP2)
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            .timeoutOptions(migrationTimeouts())
            .build());
  }

  /**
   * {@link #MIGRATION_TIMEOUT} for the commands that carry values, {@link #DATA_COMMAND_TIMEOUT}
   * for every other one and for the connection's own handshake (no command yet).
   */
  static TimeoutOptions migrationTimeouts() {
    return TimeoutOptions.builder()
        .timeoutSource(
            new TimeoutOptions.TimeoutSource() {
              @Override
              public long getTimeout(RedisCommand<?, ?, ?> command) {
                boolean carriesValues =
                    command != null
                        && (command.getType() == CommandType.MIGRATE
                            || command.getType() == CommandType.DUMP
                            || command.getType() == CommandType.RESTORE);
                return (carriesValues ? MIGRATION_TIMEOUT : DATA_COMMAND_TIMEOUT).toMillis();
              }
            })
        .build();
  }

  /**
   * A dedicated pipelined connection for moving data out of (or into) one node; close it after use.
   */
  @Override
  public SlotPipeline pipeline(NodeAddress address) {
    try {
      return new LettuceSlotPipeline(
          address,
          this,
          migrationClient.connect(ByteArrayCodec.INSTANCE, uri(address, MIGRATION_TIMEOUT)));
    } catch (RuntimeException e) {
      throw Failures.translate(address, "connect", e);
    }
  }

  public Credentials credentials() {
    return credentials;
  }

  /** The admin connection to a node, opened when needed; throws when the node cannot be reached. */
  @Override
  public NodeClient node(NodeAddress address) {
    LettuceNodeClient existing = nodes.get(address);
    if (existing != null && existing.isOpen()) {
      return existing;
    }
    // One connection per node even when worker threads ask at once.
    return nodes.compute(
        address,
        (a, current) -> {
          if (current != null && current.isOpen()) {
            return current;
          }
          if (current != null) {
            current.close();
          }
          return new LettuceNodeClient(a, this, connectStrings(a));
        });
  }

  /** Drops the cached connection of a node, e.g. after it was restarted. */
  public void forget(NodeAddress address) {
    LettuceNodeClient c = nodes.remove(address);
    if (c != null) {
      c.close();
    }
  }

  StatefulRedisConnection<String, String> connectStrings(NodeAddress address) {
    try {
      return client.connect(uri(address));
    } catch (RuntimeException e) {
      throw Failures.translate(address, "connect", e);
    }
  }

  /** Byte-keyed connection for moving keys: the long migration timeout applies. */
  StatefulRedisConnection<byte[], byte[]> connectBytes(NodeAddress address) {
    try {
      return migrationClient.connect(ByteArrayCodec.INSTANCE, uri(address, MIGRATION_TIMEOUT));
    } catch (RuntimeException e) {
      throw Failures.translate(address, "connect", e);
    }
  }

  private RedisURI uri(NodeAddress address) {
    return uri(address, COMMAND_TIMEOUT);
  }

  private RedisURI uri(NodeAddress address, Duration timeout) {
    RedisURI.Builder b =
        RedisURI.builder()
            .withHost(address.host())
            .withPort(address.port())
            .withTimeout(timeout)
            .withClientName(CLIENT_NAME);
    if (credentials.present()) {
      if (credentials.username() != null) {
        b.withAuthentication(credentials.username(), credentials.passwordChars());
      } else {
        b.withPassword(credentials.passwordChars());
      }
    }
    return b.build();
  }

  @Override
  public void close() {
    nodes.values().forEach(LettuceNodeClient::close);
    nodes.clear();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    migrationClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (ownsThreads) {
      threads.close();
    }
  }
}
