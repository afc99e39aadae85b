package io.slotwise.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sessions of deleted RedisClusters do not pile up: an idle one is closed at the next use. */
class ClusterConnectionsTest {
  @Test
  void aSessionNobodyAskedForInHalfAnHourIsClosedWhileUsedOnesStay() {
    AtomicLong now = new AtomicLong();
    try (ClusterConnections c = new ClusterConnections(now::get)) {
      var deleted = c.session("ns/deleted", "pw");
      c.session("ns/live", "pw");
      now.addAndGet(ClusterConnections.IDLE.toNanos() / 2);
      assertThat(c.session("ns/live", "pw")).isNotNull();
      now.addAndGet(ClusterConnections.IDLE.toNanos() / 2 + 1);

      c.session("ns/live", "pw");

      assertThat(c.keys()).containsExactly("ns/live");
      assertThat(c.session("ns/deleted", "pw")).isNotSameAs(deleted);
    }
  }

  @Test
  void aChangedPasswordGetsANewSession() {
    try (ClusterConnections c = new ClusterConnections()) {
      var first = c.session("ns/a", "one");
      assertThat(c.session("ns/a", "one")).isSameAs(first);
      assertThat(c.session("ns/a", "two")).isNotSameAs(first);
    }
  }
}
