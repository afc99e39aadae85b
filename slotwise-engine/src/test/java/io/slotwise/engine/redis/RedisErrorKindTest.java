package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.failure.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Error replies as redis-server 7.0 and valkey-server 8.0 write them (see RedisErrorsIT for the
 * live ones).
 */
class RedisErrorKindTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "MOVED 3999 127.0.0.1:6381|MOVED",
        "ASK 3999 127.0.0.1:6381|ASK",
        "TRYAGAIN Multiple keys request during rehashing of slot|TRYAGAIN",
        "BUSYKEY Target key name already exists.|BUSYKEY",
        "ERR Target instance replied with error: BUSYKEY Target key name already exists.|BUSYKEY",
        "ERR Target instance replied with error: OOM command not allowed when used memory > 'maxmemory'.|OOM",
        "CLUSTERDOWN Hash slot not served|CLUSTERDOWN",
        "CLUSTERDOWN The cluster is down|CLUSTERDOWN",
        "LOADING Redis is loading the dataset in memory|LOADING",
        "OOM command not allowed when used memory > 'maxmemory'.|OOM",
        "NOAUTH Authentication required.|NOAUTH",
        "WRONGPASS invalid username-password pair or user is disabled.|WRONGPASS",
        "ERR invalid password|WRONGPASS",
        "NOPERM this user has no permissions to run the 'setslot' command|NOPERM",
        "READONLY You can't write against a read only replica.|READONLY",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.|MASTERDOWN",
        "CROSSSLOT Keys in request don't hash to the same slot|CROSSSLOT",
        "ERR I'm not the owner of hash slot 5|ERR_NOT_OWNER",
        "ERR I'm already the owner of hash slot 5|ERR_NOT_OWNER",
        "ERR Please use SETSLOT only with masters.|ONLY_WITH_MASTERS",
        "ERR Please use SETSLOT only with primaries.|ONLY_WITH_MASTERS",
        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)|UNBLOCKED",
        "NOREPLICAS Not enough good replicas to write.|NOREPLICAS",
        "ERR This instance has cluster support disabled|CLUSTER_DISABLED",
        "IOERR error or timeout reading to target instance|IOERR",
        "ERR unknown command 'FOO', with args beginning with: |UNKNOWN",
        "WEIRD something new|UNKNOWN"
      })
  void parsesTheReplyCode(String reply, RedisErrorKind kind) {
    assertThat(RedisErrorKind.parse(reply)).isEqualTo(kind);
    assertThat(RedisErrorKind.parse("-" + reply)).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource({
    "NOAUTH,AuthFailed",
    "WRONGPASS,AuthFailed",
    "LOADING,NodeLoading",
    "OOM,OutOfMemory",
    "CONNECTION_FAILED,NodeUnreachable",
    "TIMEOUT,NodeUnreachable",
    "BUSYKEY,RedisError",
    "UNKNOWN,RedisError"
  })
  void eachKindHasItsReason(RedisErrorKind kind, String code) {
    assertThat(kind.reason().code()).isEqualTo(code);
    assertThat(new RedisAdminException(kind, "x", null).reason()).isEqualTo(kind.reason());
    assertThat(Reason.valueOf(kind.reason().name())).isEqualTo(kind.reason());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1:7000: CLUSTER NODES failed: ERR This instance has cluster support disabled|CLUSTER_DISABLED",
        "127.0.0.1:7000: MIGRATE to 127.0.0.1:7001 failed: ERR Target instance replied with error: BUSYKEY Target key name already exists.|BUSYKEY"
      })
  void readsTheKindOutOfAnEngineMessage(String message, RedisErrorKind kind) {
    assertThat(RedisErrorKind.inMessage(message)).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource({
    "ONLY_WITH_MASTERS,true",
    "UNBLOCKED,true",
    "NOREPLICAS,true",
    "ERR_NOT_OWNER,false",
    "CONNECTION_FAILED,false",
    "TIMEOUT,false",
    "UNKNOWN,false"
  })
  void aSourceThatTurnedReplicaOrWhoseReplicasLaggedHasNothingLeftToHandOver(
      RedisErrorKind kind, boolean settled) {
    assertThat(kind.settledOnSourceAfterHandOver()).isEqualTo(settled);
  }
}
