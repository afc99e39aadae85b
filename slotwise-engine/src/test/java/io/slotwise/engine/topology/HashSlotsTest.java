package io.slotwise.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashSlotsTest {

  @Test
  void knownSlotsMatchRedis() {
    // Values from CLUSTER KEYSLOT on a real server; 12739 is the XMODEM check value 0x31C3 of
    // "123456789".
    assertThat(HashSlots.slotOf("foo")).isEqualTo(12182);
    assertThat(HashSlots.slotOf("bar")).isEqualTo(5061);
    assertThat(HashSlots.slotOf("hello")).isEqualTo(866);
    assertThat(HashSlots.slotOf("123456789")).isEqualTo(12739);
    assertThat(HashSlots.slotOf("")).isZero();
  }

  @Test
  void hashTagSelectsTheSlot() {
    int tagged = HashSlots.slotOf("{user1000}.following");
    assertThat(tagged).isEqualTo(HashSlots.slotOf("user1000")).isEqualTo(3443);
    assertThat(HashSlots.slotOf("{user1000}.followers")).isEqualTo(tagged);
    assertThat(HashSlots.slotOf("{bar}")).isEqualTo(5061);
    assertThat(HashSlots.slotOf("x{bar}y")).isEqualTo(5061);
  }

  @Test
  void onlyTheFirstBraceCounts() {
    // "}foo{bar}": the first '{' is after the stray '}', so the tag is "bar".
    assertThat(HashSlots.slotOf("}foo{bar}")).isEqualTo(5061);
    // "foo{{bar}}zap": the tag is what lies between the first '{' and the next '}'.
    assertThat(HashSlots.slotOf("foo{{bar}}zap"))
        .isEqualTo(HashSlots.slotOf("{bar"))
        .isEqualTo(4015);
  }

  @Test
  void emptyOrUnclosedTagHashesTheWholeKey() {
    // "foo{}{bar}": the first tag is empty, so the whole key is hashed (not "bar").
    assertThat(HashSlots.slotOf("foo{}{bar}")).isEqualTo(8363).isNotEqualTo(5061);
    assertThat(HashSlots.slotOf("{}")).isEqualTo(15257);
    assertThat(HashSlots.slotOf("foo{bar")).isEqualTo(15278);
  }

  @Test
  void stringAndBytesAgreeOnNonAsciiKeys() {
    assertThat(HashSlots.slotOf("é")).isEqualTo(10180);
    assertThat(HashSlots.slotOf("é".getBytes(StandardCharsets.UTF_8))).isEqualTo(10180);
    byte[] high = {(byte) 0xff, (byte) 0x80, 'a'};
    assertThat(HashSlots.slotOf(high)).isBetween(0, HashSlots.COUNT - 1);
  }
}
