package io.slotwise.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeAddressTest {

  @Test
  void parsesIpv4AndNames() {
    assertThat(NodeAddress.parse("127.0.0.1:7000")).isEqualTo(new NodeAddress("127.0.0.1", 7000));
    assertThat(NodeAddress.parse(" redis-0.redis-nodes:6379 "))
        .isEqualTo(new NodeAddress("redis-0.redis-nodes", 6379));
  }

  @Test
  void parsesIpv6WithAndWithoutBrackets() {
    NodeAddress a = NodeAddress.parse("[::1]:7000");
    assertThat(a.host()).isEqualTo("::1");
    assertThat(a.port()).isEqualTo(7000);
    assertThat(NodeAddress.parse("::1:7000")).isEqualTo(a);
    assertThat(a.toString()).isEqualTo("[::1]:7000");
    assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "127.0.0.1",
        "127.0.0.1:",
        ":7000",
        "host:abc",
        "host:0",
        "host:65536",
        "host:-1",
        "[::1]"
      })
  void rejectsBadInput(String text) {
    assertThatThrownBy(() -> NodeAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordersByHostThenPort() {
    NodeAddress a = new NodeAddress("127.0.0.1", 7001);
    NodeAddress b = new NodeAddress("127.0.0.1", 7000);
    NodeAddress c = new NodeAddress("127.0.0.2", 6999);
    assertThat(java.util.stream.Stream.of(c, a, b).sorted().toList()).containsExactly(b, a, c);
  }
}
