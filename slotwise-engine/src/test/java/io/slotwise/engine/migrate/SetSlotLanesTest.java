package io.slotwise.engine.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which servers hold SETSLOT for their replicas, from {@code INFO server}. */
class SetSlotLanesTest {
  @Test
  void valkeyEightAndLaterHoldSetSlotRedisAndOlderValkeyDoNot() {
    assertThat(
            SetSlotLanes.holdsSetSlot(
                Map.of(
                    "server_name", "valkey", "valkey_version", "8.0.1", "redis_version", "7.2.4")))
        .isTrue();
    assertThat(
            SetSlotLanes.holdsSetSlot(Map.of("server_name", "valkey", "valkey_version", "9.0.0")))
        .isTrue();
    assertThat(
            SetSlotLanes.holdsSetSlot(
                Map.of(
                    "server_name", "valkey", "valkey_version", "7.2.7", "redis_version", "7.2.4")))
        .isFalse();
    assertThat(SetSlotLanes.holdsSetSlot(Map.of("redis_version", "7.0.15"))).isFalse();
    assertThat(SetSlotLanes.holdsSetSlot(Map.of())).isFalse();
  }
}
