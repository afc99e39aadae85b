package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The connections that move data wait long only for what carries values: a SETSLOT, a key count or
 * a script left unanswered by a stuck node fails after a minute instead of holding the caller (a
 * reconcile, a rebalance) for ten.
 */
class MigrationTimeoutsTest {
  private final TimeoutOptions.TimeoutSource source = RedisAdmin.migrationTimeouts().getSource();

  @Test
  void onlyCommandsThatCarryValuesGetTheLongTimeout() {
    assertThat(millis(CommandType.MIGRATE)).isEqualTo(RedisAdmin.MIGRATION_TIMEOUT.toMillis());
    assertThat(millis(CommandType.DUMP)).isEqualTo(RedisAdmin.MIGRATION_TIMEOUT.toMillis());
    assertThat(millis(CommandType.RESTORE)).isEqualTo(RedisAdmin.MIGRATION_TIMEOUT.toMillis());
    for (CommandType t : new CommandType[] {CommandType.CLUSTER, CommandType.EVAL}) {
      assertThat(millis(t)).as("%s", t).isEqualTo(RedisAdmin.DATA_COMMAND_TIMEOUT.toMillis());
    }
    assertThat(source.getTimeout(null)).isEqualTo(RedisAdmin.DATA_COMMAND_TIMEOUT.toMillis());
    assertThat(RedisAdmin.DATA_COMMAND_TIMEOUT).isLessThan(RedisAdmin.MIGRATION_TIMEOUT);
    assertThat(source.getTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
  }

  private long millis(CommandType type) {
    return source.getTimeout(new Command<>(type, new StatusOutput<>(ByteArrayCodec.INSTANCE)));
  }
}
