package io.slotwise.engine.redis;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisReactiveCommandsImpl;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.protocol.PushHandler;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/**
 * A Lettuce client whose connections offer the asynchronous API only, which is all the engine uses.
 * A standard connection also builds the synchronous facade, a {@link java.lang.reflect.Proxy} of
 * the thousand-method {@code RedisCommands} interface generated on the first connection (about a
 * tenth of a second of a short command's start-up, more on a busy machine, and never in the
 * class-data archive), and the reactive one.
 */
final class LeanRedisClient extends RedisClient {
  LeanRedisClient(ClientResources resources) {
    super(resources, new RedisURI());
  }

  @Override
  protected <K, V> StatefulRedisConnectionImpl<K, V> newStatefulRedisConnection(
      RedisChannelWriter writer,
      PushHandler pushHandler,
      RedisCodec<K, V> codec,
      Duration timeout) {
    return new AsyncOnly<>(writer, pushHandler, codec, timeout, this);
  }

  private static final class AsyncOnly<K, V> extends StatefulRedisConnectionImpl<K, V> {
    AsyncOnly(
        RedisChannelWriter writer,
        PushHandler pushHandler,
        RedisCodec<K, V> codec,
        Duration timeout,
        LeanRedisClient client) {
      super(writer, pushHandler, codec, timeout, client.getOptions().getJsonParser());
    }

    @Override
    protected RedisCommands<K, V> newRedisSyncCommandsImpl() {
      return null;
    }

    @Override
    protected RedisReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
      return null;
    }

    @Override
    public RedisCommands<K, V> sync() {
      throw new UnsupportedOperationException("Slotwise's connections are asynchronous only");
    }

    @Override
    public RedisReactiveCommands<K, V> reactive() {
      throw new UnsupportedOperationException("Slotwise's connections are asynchronous only");
    }
  }
}
