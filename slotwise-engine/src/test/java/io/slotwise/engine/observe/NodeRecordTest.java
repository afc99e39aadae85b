package io.slotwise.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.topology.NodeAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lines as Redis 7 prints them in {@code CLUSTER NODES}. */
class NodeRecordTest {
  private static final String SELF = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
  private static final String PEER = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f";

  @Test
  void myselfPrimaryWithRangesAndSingleSlots() {
    NodeRecord r =
        NodeRecord.parse(
            SELF
                + " 127.0.0.1:30001@31001 myself,master - 0 1426238316232 3 connected 0-5460 5462 10923-10925");
    assertThat(r.id()).isEqualTo(SELF);
    assertThat(r.address()).isEqualTo(new NodeAddress("127.0.0.1", 30001));
    assertThat(r.busPort()).isEqualTo(31001);
    assertThat(r.hostname()).isNull();
    assertThat(r.myself()).isTrue();
    assertThat(r.primary()).isTrue();
    assertThat(r.replica()).isFalse();
    assertThat(r.primaryId()).isNull();
    assertThat(r.configEpoch()).isEqualTo(3);
    assertThat(r.linkConnected()).isTrue();
    assertThat(r.slots().toString()).isEqualTo("0-5460,5462,10923-10925");
    assertThat(r.slots().size()).isEqualTo(5461 + 1 + 3);
    assertThat(r.migrating()).isEmpty();
    assertThat(r.importing()).isEmpty();
  }

  @Test
  void replicaLine() {
    NodeRecord r =
        NodeRecord.parse(
            "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave "
                + SELF
                + " 0 1426238317239 4 connected");
    assertThat(r.replica()).isTrue();
    assertThat(r.primary()).isFalse();
    assertThat(r.myself()).isFalse();
    assertThat(r.primaryId()).isEqualTo(SELF);
    assertThat(r.slots().isEmpty()).isTrue();
    assertThat(r.configEpoch()).isEqualTo(4);
  }

  @Test
  void failureFlags() {
    NodeRecord failed =
        NodeRecord.parse(
            PEER
                + " 127.0.0.1:30003@31003 master,fail - 1426238316232 1426238315000 3 disconnected 10923-16383");
    assertThat(failed.failed()).isTrue();
    assertThat(failed.possiblyFailed()).isFalse();
    assertThat(failed.primary()).isTrue();
    assertThat(failed.linkConnected()).isFalse();
    assertThat(failed.slots().toString()).isEqualTo("10923-16383");

    NodeRecord suspected =
        NodeRecord.parse(
            PEER
                + " 127.0.0.1:30003@31003 slave,fail? "
                + SELF
                + " 1426238316232 1426238315000 3 connected");
    assertThat(suspected.possiblyFailed()).isTrue();
    assertThat(suspected.failed()).isFalse();
    assertThat(suspected.replica()).isTrue();
  }

  @Test
  void handshakeLine() {
    NodeRecord r =
        NodeRecord.parse(
            "8c4ee38ed8ebb4d2ca9ca74c6bed1e1d23a1d7b0 127.0.0.1:30010@31010 handshake - 1697040000000 0 0 disconnected");
    assertThat(r.handshake()).isTrue();
    assertThat(r.primary()).isFalse();
    assertThat(r.replica()).isFalse();
    assertThat(r.address()).isEqualTo(new NodeAddress("127.0.0.1", 30010));
    assertThat(r.linkConnected()).isFalse();
  }

  @Test
  void noAddressLine() {
    NodeRecord r =
        NodeRecord.parse(
            PEER
                + " :0@0 master,fail,noaddr - 1697040000000 1697039990000 2 disconnected 5461-10922");
    assertThat(r.address()).isNull();
    assertThat(r.busPort()).isZero();
    assertThat(r.noAddress()).isTrue();
    assertThat(r.failed()).isTrue();
    assertThat(r.flags()).containsExactlyInAnyOrder("master", "fail", "noaddr");
    assertThat(r.slots().toString()).isEqualTo("5461-10922");
  }

  @Test
  void zeroAddressWithoutNoaddrFlagHasNoAddress() {
    // A node that has not yet learnt its own IP prints ":30001@31001" (empty host).
    NodeRecord r = NodeRecord.parse(SELF + " :30001@31001 myself,master - 0 0 0 connected");
    assertThat(r.address()).isNull();
    assertThat(r.noAddress()).isTrue();
    assertThat(r.busPort()).isEqualTo(31001);
  }

  @Test
  void hostnameAfterComma() {
    NodeRecord r =
        NodeRecord.parse(
            SELF + " 127.0.0.1:30001@31001,hostname1 myself,master - 0 0 1 connected 0-5460");
    assertThat(r.address()).isEqualTo(new NodeAddress("127.0.0.1", 30001));
    assertThat(r.busPort()).isEqualTo(31001);
    assertThat(r.hostname()).isEqualTo("hostname1");
    // Redis 7.0 prints the comma even when no hostname is set.
    NodeRecord empty =
        NodeRecord.parse(SELF + " 127.0.0.1:30001@31001, myself,master - 0 0 1 connected 0-5460");
    assertThat(empty.hostname()).isNull();
    assertThat(empty.address()).isEqualTo(new NodeAddress("127.0.0.1", 30001));
  }

  @Test
  void ipv6Address() {
    NodeRecord r = NodeRecord.parse(SELF + " ::1:30001@31001 myself,master - 0 0 1 connected");
    assertThat(r.address()).isEqualTo(new NodeAddress("::1", 30001));
    assertThat(r.busPort()).isEqualTo(31001);
  }

  @Test
  void openSlots() {
    NodeRecord r =
        NodeRecord.parse(
            SELF
                + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [93->-"
                + PEER
                + "] [77-<-"
                + PEER
                + "]");
    assertThat(r.migrating()).isEqualTo(Map.of(93, PEER));
    assertThat(r.importing()).isEqualTo(Map.of(77, PEER));
    // Open slots are not owned slots.
    assertThat(r.slots().toString()).isEqualTo("0-5460");
  }

  @Test
  void openSlotOnly() {
    NodeRecord r =
        NodeRecord.parse(
            SELF + " 127.0.0.1:30002@31002 myself,master - 0 0 2 connected [16383-<-" + PEER + "]");
    assertThat(r.slots().isEmpty()).isTrue();
    assertThat(r.importing()).isEqualTo(Map.of(16383, PEER));
  }

  @Test
  void toleratesExtraSpaceAndTrailingNewline() {
    NodeRecord r =
        NodeRecord.parse(SELF + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 \n");
    assertThat(r.slots().toString()).isEqualTo("0-5460");
  }

  @Test
  void rejectsShortLinesAndUnknownSlotStates() {
    assertThatThrownBy(() -> NodeRecord.parse(SELF + " 127.0.0.1:30001@31001 myself,master - 0 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fields");
    assertThatThrownBy(
            () ->
                NodeRecord.parse(
                    SELF
                        + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected [93-?-"
                        + PEER
                        + "]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[93-?-");
  }
}
