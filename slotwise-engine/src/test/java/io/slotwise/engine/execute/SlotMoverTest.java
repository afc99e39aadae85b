package io.slotwise.engine.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.testing.FakeCluster;
import io.slotwise.engine.testing.FakeCluster.RecordingNode;
import io.slotwise.engine.topology.NodeAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fixer's hand-over of a slot, driven through a recording fake of our node interface. */
class SlotMoverTest {
  private final FakeCluster cluster = new FakeCluster();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final SlotMover mover = new SlotMover(cluster, warnings::add);
  private RecordingNode a;
  private RecordingNode b;
  private RecordingNode c;

  @BeforeEach
  void cluster() {
    a = cluster.add("aaaa", 7001);
    b = cluster.add("bbbb", 7002);
    c = cluster.add("cccc", 7003);
    for (RecordingNode n : cluster.nodes()) {
      n.owners.put(0, "aaaa");
    }
    a.migrating.put(0, "bbbb");
    b.importing.put(0, "aaaa");
  }

  private List<NodeAddress> primaries() {
    return List.of(a.address(), b.address(), c.address());
  }

  /**
   * Valkey 8 answers {@code SETSLOT} with {@code NOREPLICAS}, and applies nothing, when the node's
   * replicas do not take it within 2 s: the command is issued again, on every node.
   */
  @Test
  void aHandOverThatTheReplicasDidNotTakeInTimeIsIssuedAgain() {
    for (RecordingNode n : cluster.nodes()) {
      cluster.failOn(n.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.NOREPLICAS);
    }
    mover.finish(0, "bbbb", b, a, primaries());
    for (RecordingNode n : cluster.nodes()) {
      assertThat(n.owners).as("owner on %s", n.address()).containsEntry(0, "bbbb");
      assertThat(cluster.log())
          .filteredOn(e -> e.equals(n.address() + " SETSLOT 0 NODE bbbb"))
          .hasSize(2);
    }
    assertThat(warnings).isEmpty();
    assertThat(b.importing).isEmpty();
    assertThat(a.migrating).isEmpty();
    assertThat(cluster.indexOf(b.address() + " SETSLOT 0 NODE bbbb"))
        .isLessThan(cluster.indexOf(a.address() + " SETSLOT 0 NODE bbbb"));
  }

  @Test
  void anyOtherRefusalOfTheTargetStopsTheHandOverBeforeTheSource() {
    cluster.failOn(b.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.UNKNOWN);
    assertThatThrownBy(() -> mover.finish(0, "bbbb", b, a, primaries()))
        .isInstanceOf(RedisAdminException.class);
    assertThat(cluster.log()).noneMatch(e -> e.startsWith(a.address() + " SETSLOT"));
    assertThat(a.owners).containsEntry(0, "aaaa");
  }
}
