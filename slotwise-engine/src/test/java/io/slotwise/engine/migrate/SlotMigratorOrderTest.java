package io.slotwise.engine.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.execute.KeyConflict;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.testing.FakeCluster;
import io.slotwise.engine.testing.FakeCluster.RecordingNode;
import io.slotwise.engine.topology.NodeAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The migrator's command order, driven through a recording fake of our node interface. */
class SlotMigratorOrderTest {
  private final FakeCluster cluster = new FakeCluster();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final List<KeyConflict> conflicts = new CopyOnWriteArrayList<>();
  private final MigrationListener listener =
      new MigrationListener() {
        @Override
        public void warning(String message) {
          warnings.add(message);
        }

        @Override
        public void conflict(KeyConflict c) {
          conflicts.add(c);
        }
      };
  private RecordingNode a;
  private RecordingNode b;
  private RecordingNode c;

  @BeforeEach
  void cluster() {
    a = cluster.add("aaaa", 7001);
    b = cluster.add("bbbb", 7002);
    c = cluster.add("cccc", 7003);
    for (RecordingNode n : cluster.nodes()) {
      for (int s = 0; s < 10; s++) {
        n.owners.put(s, "aaaa");
      }
    }
    for (int s = 0; s < 10; s++) {
      for (int k = 0; k < 3; k++) {
        a.put(s, "k" + s + "-" + k, "v" + s + "-" + k);
      }
    }
  }

  private List<SlotMove> moves(int... slots) {
    return IntStream.of(slots)
        .mapToObj(s -> new SlotMove(s, a.id, a.address(), b.id, b.address()))
        .toList();
  }

  private List<NodeAddress> primaries() {
    return List.of(a.address(), b.address(), c.address());
  }

  private SlotMigrator migrator(SlotMigrator.Options options) {
    return new SlotMigrator(cluster, options, listener);
  }

  private static SlotMigrator.Options options() {
    return new SlotMigrator.Options(2, 100, 1 << 20, 100, 1, 1, 1);
  }

  private int at(RecordingNode n, String command) {
    int i = cluster.indexOf(n.address() + " " + command);
    assertThat(i).as("%s %s in %s", n.address(), command, cluster.log()).isNotNegative();
    return i;
  }

  @Test
  void importingOnTheTargetBeforeMigratingOnTheSourceAndOwnerTargetFirstThenSourceThenOthers() {
    migrator(options()).migrate(moves(0, 1, 2), primaries());
    for (int s : new int[] {0, 1, 2}) {
      assertThat(at(b, "SETSLOT " + s + " IMPORTING aaaa"))
          .isLessThan(at(a, "SETSLOT " + s + " MIGRATING bbbb"));
      assertThat(at(a, "SETSLOT " + s + " MIGRATING bbbb"))
          .isLessThan(
              cluster
                  .log()
                  .indexOf(
                      a.address()
                          + " MIGRATE "
                          + b.address()
                          + " k"
                          + s
                          + "-0 k"
                          + s
                          + "-1 k"
                          + s
                          + "-2"));
      assertThat(at(b, "SETSLOT " + s + " NODE bbbb"))
          .isLessThan(at(a, "SETSLOT " + s + " NODE bbbb"));
      assertThat(at(a, "SETSLOT " + s + " NODE bbbb"))
          .isLessThan(at(c, "SETSLOT " + s + " NODE bbbb"));
      assertThat(b.countKeys(s)).isEqualTo(3);
      assertThat(a.countKeys(s)).isZero();
    }
    for (RecordingNode n : cluster.nodes()) {
      assertThat(n.importing).isEmpty();
      assertThat(n.migrating).isEmpty();
    }
  }

  /**
   * Valkey 8 holds each SETSLOT until the node's replicas have it: a group's SETSLOTs go over
   * several connections per node, and each step is still sent only once the step before it was
   * answered for the whole group.
   */
  @Test
  void onValkeyAGroupsSetSlotsGoOverSeveralConnectionsInTheSameOrder() {
    cluster.nodes().forEach(RecordingNode::valkey);
    // The source keeps a slot, so that it is told of every hand-over (see the test below).
    cluster.nodes().forEach(n -> n.owners.put(10, "aaaa"));
    migrator(new SlotMigrator.Options(5, 100, 1 << 20, 100, 1, 1, 1))
        .migrate(moves(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), primaries());
    for (int s = 0; s < 10; s++) {
      assertThat(at(b, "SETSLOT " + s + " IMPORTING aaaa"))
          .isLessThan(at(a, "SETSLOT " + s + " MIGRATING bbbb"));
      assertThat(at(b, "SETSLOT " + s + " NODE bbbb"))
          .isLessThan(at(a, "SETSLOT " + s + " NODE bbbb"));
      assertThat(at(a, "SETSLOT " + s + " NODE bbbb"))
          .isLessThan(at(c, "SETSLOT " + s + " NODE bbbb"));
      assertThat(b.countKeys(s)).isEqualTo(3);
      assertThat(a.countKeys(s)).isZero();
    }
    // A group's last IMPORTING is answered before its first MIGRATING is sent.
    assertThat(at(b, "SETSLOT 4 IMPORTING aaaa")).isLessThan(at(a, "SETSLOT 0 MIGRATING bbbb"));
    assertThat(at(b, "SETSLOT 4 NODE bbbb")).isLessThan(at(a, "SETSLOT 0 NODE bbbb"));
    for (RecordingNode n : cluster.nodes()) {
      // The pair's slots go as two halves of one group each; in each, one pipeline to the source
      // and one to the target carry the keys, 5 lanes (one per slot of a group) carry SETSLOT.
      assertThat(cluster.pipelinesOpened(n.address()))
          .as("pipelines to %s", n.address())
          .isEqualTo(2 * (n == c ? 5 : 6));
      assertThat(n.importing).isEmpty();
      assertThat(n.migrating).isEmpty();
      for (int s = 0; s < 10; s++) {
        assertThat(n.owners).containsEntry(s, "bbbb");
      }
    }
  }

  /**
   * Valkey 8 replicates {@code SETSLOT} to the node's replicas before applying it, and a replica
   * that takes its primary's last slot that way stalls for 5 s (Valkey 8.0): the source is not told
   * of the hand-over that would leave it without a slot, whichever half of the pair's slots is
   * handed over last. The target announces it to every node, the other primaries are told too.
   */
  @Test
  void onValkeyTheSourceIsNotToldOfTheHandOverThatWouldTakeItsLastSlot() {
    cluster.nodes().forEach(RecordingNode::valkey);
    SlotMigrator.Result r =
        migrator(new SlotMigrator.Options(5, 100, 1 << 20, 100, 1, 1, 1))
            .migrate(moves(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), primaries());
    assertThat(r.keys()).isEqualTo(30);
    assertThat(a.owners).containsValue("aaaa");
    for (int s = 0; s < 10; s++) {
      assertThat(b.owners).containsEntry(s, "bbbb");
      assertThat(c.owners).containsEntry(s, "bbbb");
      assertThat(a.countKeys(s)).isZero();
    }
    assertThat(warnings).isEmpty();
  }

  /** On Redis the source is told of every hand-over: its replicas never see SETSLOT. */
  @Test
  void onRedisTheSourceIsToldOfEveryHandOver() {
    migrator(new SlotMigrator.Options(5, 100, 1 << 20, 100, 1, 1, 1))
        .migrate(moves(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), primaries());
    for (int s = 0; s < 10; s++) {
      assertThat(a.owners).containsEntry(s, "bbbb");
    }
  }

  @Test
  void onRedisEachNodeGetsOneConnectionForSetSlot() {
    migrator(new SlotMigrator.Options(5, 100, 1 << 20, 100, 1, 1, 1))
        .migrate(moves(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), primaries());
    for (RecordingNode n : cluster.nodes()) {
      // One per half of the pair's slots.
      assertThat(cluster.pipelinesOpened(n.address()))
          .as("pipelines to %s", n.address())
          .isEqualTo(2);
    }
  }

  /**
   * Valkey 8 closes a connection after answering {@code UNBLOCKED}; the lane is opened again for
   * the next group instead of failing its commands.
   */
  @Test
  void onValkeyAConnectionClosedAfterUnblockedIsOpenedAgainForTheNextGroup() {
    cluster.nodes().forEach(RecordingNode::valkey);
    cluster.failOn(a.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.UNBLOCKED);
    // Four groups of two: the first half of the pair's slots (two groups) is one job.
    SlotMigrator.Result r = migrator(options()).migrate(moves(0, 1, 2, 3, 4, 5, 6, 7), primaries());
    assertThat(r.keys()).isEqualTo(24);
    assertThat(warnings).isEmpty();
    for (int s = 1; s < 8; s++) {
      assertThat(a.owners).containsEntry(s, "bbbb");
      assertThat(c.owners).containsEntry(s, "bbbb");
    }
    assertThat(b.owners).containsEntry(0, "bbbb");
    // Per half, the keys' pipeline and a lane for each slot of a group; in the first, the lane
    // opened again.
    assertThat(cluster.pipelinesOpened(a.address())).isEqualTo(3 + 1 + 3);
    assertThat(b.importing).isEmpty();
    // The source was let go of slot 0's hand-over only: the target's gossip finishes it.
    assertThat(a.migrating).containsOnlyKeys(0);
  }

  @Test
  void theTargetsReplicasConfirmEveryKeyOfAGroupBeforeTheTargetIsMadeOwner() {
    b.replicas(1, 3);
    migrator(options()).migrate(moves(0, 1, 2), primaries());
    List<String> log = cluster.log();
    for (int s : new int[] {0, 1, 2}) {
      int handOver = at(b, "SETSLOT " + s + " NODE bbbb");
      int lastRestore = -1;
      int lastPoll = -1;
      for (int i = 0; i < handOver; i++) {
        if (log.get(i).startsWith(b.address() + " RESTORE-ASKING k" + s + "-")) {
          lastRestore = i;
        }
        if (log.get(i).startsWith(b.address() + " INFO replication")) {
          lastPoll = i;
        }
      }
      assertThat(lastPoll)
          .as("a replication check before slot %s is handed over", s)
          .isGreaterThan(lastRestore);
      assertThat(log.get(lastPoll)).endsWith("caught-up");
    }
  }

  @Test
  void replicasThatDoNotCatchUpStopTheMigrationWithTheSlotsStillOpen() {
    b.replicas(1, Integer.MAX_VALUE);
    assertThatThrownBy(
            () -> migrator(options().withReplicaWaitMillis(50)).migrate(moves(0), primaries()))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("did not confirm");
    assertThat(cluster.log()).noneMatch(l -> l.contains("SETSLOT 0 NODE"));
    assertThat(b.importing).containsKey(0);
    assertThat(a.migrating).containsKey(0);
    assertThat(b.countKeys(0)).isEqualTo(3);
  }

  @Test
  void anIdenticalCopyOnTheTargetIsReplacedSilently() {
    b.put(0, "k0-1", "v0-1"); // a retried MIGRATE: the first attempt landed
    SlotMigrator.Result r = migrator(options()).migrate(moves(0), primaries());
    assertThat(r.conflicts()).isZero();
    assertThat(conflicts).isEmpty();
    assertThat(warnings).isEmpty();
    assertThat(b.data.get(0)).containsOnlyKeys("k0-0", "k0-1", "k0-2");
    assertThat(b.get(0, "k0-1")).isEqualTo("v0-1");
  }

  @Test
  void aDifferingCopyLosesToTheSourceIsReportedAndLeavesNoStrayKey() {
    b.put(0, "k0-1", "stale");
    SlotMigrator.Result r = migrator(options()).migrate(moves(0), primaries());
    assertThat(r.conflicts()).isEqualTo(1);
    assertThat(conflicts)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.key()).isEqualTo("k0-1");
              assertThat(k.slot()).isZero();
              assertThat(k.keptAs()).isNull();
            });
    assertThat(warnings).anyMatch(w -> w.contains("k0-1") && w.contains("slot 0"));
    assertThat(b.data.get(0)).containsOnlyKeys("k0-0", "k0-1", "k0-2");
    assertThat(b.get(0, "k0-1")).isEqualTo("v0-1");
  }

  @Test
  void aDifferingCopyIsKeptUnderANewNameOnlyWhenAskedFor() {
    b.put(0, "k0-1", "stale");
    SlotMigrator.Result r =
        migrator(options().withKeepConflictingCopies(true)).migrate(moves(0), primaries());
    assertThat(r.conflicts()).isEqualTo(1);
    String kept = conflicts.get(0).keptAs();
    assertThat(kept).startsWith("k0-1:slotwise-busykey:");
    assertThat(b.get(0, kept)).isEqualTo("stale");
    assertThat(b.get(0, "k0-1")).isEqualTo("v0-1");
  }

  @Test
  void aGroupThatCannotBeOpenedOnTheSourceIsClosedAgainEverywhere() {
    cluster.failOn(a.address() + " SETSLOT 1 MIGRATING bbbb", RedisErrorKind.UNKNOWN);
    assertThatThrownBy(() -> migrator(options()).migrate(moves(0, 1), primaries()))
        .isInstanceOf(MigrationException.class);
    for (RecordingNode n : cluster.nodes()) {
      assertThat(n.importing).as("importing on %s", n.address()).isEmpty();
      assertThat(n.migrating).as("migrating on %s", n.address()).isEmpty();
    }
    assertThat(at(b, "SETSLOT 0 STABLE")).isLessThan(at(a, "SETSLOT 0 STABLE"));
    assertThat(a.countKeys(0)).isEqualTo(3);
  }

  @Test
  void aGroupThatCannotBeOpenedOnTheTargetIsClosedAgainAfterTheRefusedSlotToo() {
    cluster.failOn(b.address() + " SETSLOT 1 IMPORTING aaaa", RedisErrorKind.UNKNOWN);
    assertThatThrownBy(
            () ->
                migrator(new SlotMigrator.Options(3, 100, 1 << 20, 100, 1, 1, 1))
                    .migrate(moves(0, 1, 2), primaries()))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("cannot open slot 1");
    assertThat(b.importing).isEmpty();
    assertThat(cluster.log()).noneMatch(l -> l.contains("MIGRATING"));
  }

  @Test
  void aFailedMoveThatMovedNoKeyClosesTheTargetFirstThenTheSource() {
    cluster.failOn(a.address() + " MIGRATE " + b.address() + " k0-0 k0-1 k0-2", RedisErrorKind.OOM);
    assertThatThrownBy(() -> migrator(options()).migrate(moves(0), primaries()))
        .isInstanceOf(MigrationException.class);
    assertThat(at(b, "SETSLOT 0 STABLE")).isLessThan(at(a, "SETSLOT 0 STABLE"));
    for (RecordingNode n : cluster.nodes()) {
      assertThat(n.importing).isEmpty();
      assertThat(n.migrating).isEmpty();
    }
  }

  @Test
  void aSlotTheTargetAlreadyOwnsIsOnlyFinished() {
    b.owners.put(0, "bbbb");
    a.data.remove(0);
    migrator(options()).migrate(moves(0), primaries());
    assertThat(at(a, "SETSLOT 0 NODE bbbb")).isLessThan(at(c, "SETSLOT 0 NODE bbbb"));
    assertThat(cluster.log()).noneMatch(l -> l.contains("SETSLOT 0 MIGRATING"));
  }

  /**
   * Valkey 8 blocks {@code SETSLOT} until the node's replicas have it; a source that lost its last
   * slot and turned replica meanwhile answers {@code UNBLOCKED} and closes the connection, so the
   * commands pipelined behind it get no answer.
   */
  @Test
  void aSourceThatTurnedReplicaDuringTheHandOverHasNothingLeftToHandOver() {
    cluster.failOn(a.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.UNBLOCKED);
    cluster.failOn(a.address() + " SETSLOT 1 NODE bbbb", RedisErrorKind.CONNECTION_FAILED);
    a.role = "slave";
    SlotMigrator.Result r = migrator(options()).migrate(moves(0, 1), primaries());
    assertThat(r.keys()).isEqualTo(6);
    assertThat(b.countKeys(0)).isEqualTo(3);
    assertThat(b.countKeys(1)).isEqualTo(3);
    assertThat(b.owners).containsEntry(0, "bbbb").containsEntry(1, "bbbb");
  }

  @Test
  void aSourceStillPrimaryThatDidNotAnswerTheHandOverFailsTheMigration() {
    cluster.failOn(a.address() + " SETSLOT 1 NODE bbbb", RedisErrorKind.CONNECTION_FAILED);
    assertThatThrownBy(() -> migrator(options()).migrate(moves(0, 1), primaries()))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining(
            "cannot finish moving slots to " + b.address() + " on " + a.address());
  }

  @Test
  void aSourceWhoseReplicasDidNotAcknowledgeInTimeLeavesTheSlotToGossip() {
    cluster.failOn(a.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.NOREPLICAS);
    SlotMigrator.Result r = migrator(options()).migrate(moves(0), primaries());
    assertThat(r.keys()).isEqualTo(3);
    assertThat(b.owners).containsEntry(0, "bbbb");
  }

  /**
   * Valkey 8 answers {@code SETSLOT} with {@code NOREPLICAS}, and applies nothing, when the node's
   * replicas do not take it within 2 s: the command is issued again.
   */
  @Test
  void aSetSlotThatTheReplicasDidNotTakeInTimeIsIssuedAgain() {
    cluster.failOn(b.address() + " SETSLOT 0 IMPORTING aaaa", RedisErrorKind.NOREPLICAS);
    cluster.failOn(a.address() + " SETSLOT 1 MIGRATING bbbb", RedisErrorKind.NOREPLICAS);
    cluster.failOn(b.address() + " SETSLOT 0 NODE bbbb", RedisErrorKind.NOREPLICAS);
    SlotMigrator.Result r = migrator(options()).migrate(moves(0, 1), primaries());
    assertThat(r.keys()).isEqualTo(6);
    assertThat(cluster.log())
        .filteredOn(e -> e.equals(b.address() + " SETSLOT 0 IMPORTING aaaa"))
        .hasSize(2);
    assertThat(cluster.log())
        .filteredOn(e -> e.equals(a.address() + " SETSLOT 1 MIGRATING bbbb"))
        .hasSize(2);
    assertThat(b.owners).containsEntry(0, "bbbb").containsEntry(1, "bbbb");
    for (RecordingNode n : cluster.nodes()) {
      assertThat(n.importing).isEmpty();
      assertThat(n.migrating).isEmpty();
    }
  }
}
