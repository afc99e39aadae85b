package io.slotwise.operator.roll;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.operator.roll.RollPlanner.Action;
import io.slotwise.operator.roll.RollPlanner.RollPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollPlannerTest {
  static final Duration TIMEOUT = Duration.ofMinutes(2);

  /** A fake cluster that carries out the planner's actions as Kubernetes and Redis would. */
  static final class FakeShards {
    final List<RollPod> pods = new ArrayList<>();

    FakeShards(int shards, int perShard) {
      for (int s = 0; s < shards; s++) {
        for (int o = 0; o < perShard; o++) {
          pods.add(
              new RollPod("c-" + s + "-" + o, s, o, true, true, o == 0, 100 - o, Duration.ZERO));
        }
      }
    }

    RollPod get(String name) {
      return pods.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    void put(RollPod p) {
      pods.replaceAll(q -> q.name().equals(p.name()) ? p : q);
    }

    void apply(Action a) {
      if (a instanceof Action.DeleteReplica d) {
        RollPod p = get(d.pod());
        put(new RollPod(p.name(), p.shard(), p.ordinal(), false, true, false, 0, Duration.ZERO));
      } else if (a instanceof Action.Failover f) {
        RollPod r = get(f.replica());
        RollPod old = get(f.primary());
        put(
            new RollPod(
                r.name(), r.shard(), r.ordinal(), r.outdated(), true, true, 0, Duration.ZERO));
        put(
            new RollPod(
                old.name(),
                old.shard(),
                old.ordinal(),
                old.outdated(),
                true,
                false,
                0,
                Duration.ZERO));
      } else if (a instanceof Action.DeletePrimary d) {
        RollPod p = get(d.pod());
        put(new RollPod(p.name(), p.shard(), p.ordinal(), false, true, true, 0, Duration.ZERO));
      }
    }
  }

  @Test
  void rollsOneShardAtATimeReplicasFirstThenFailsOverThenTheOldPrimary() {
    FakeShards c = new FakeShards(2, 3);
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Action a = RollPlanner.next(c.pods, false, TIMEOUT);
      if (a instanceof Action.Done) {
        break;
      }
      order.add(a.toString().replaceAll("\\[.*", "") + " " + describe(a));
      c.apply(a);
    }
    assertThat(order)
        .containsExactly(
            "DeleteReplica c-0-1",
            "DeleteReplica c-0-2",
            "Failover c-0-1",
            "DeleteReplica c-0-0",
            "DeleteReplica c-1-1",
            "DeleteReplica c-1-2",
            "Failover c-1-1",
            "DeleteReplica c-1-0");
    assertThat(c.pods).noneMatch(RollPod::outdated);
  }

  @Test
  void failsOverToTheMostCaughtUpReplica() {
    List<RollPod> pods =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, true, 500, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, false, true, false, 400, Duration.ZERO),
            new RollPod("c-0-2", 0, 2, false, true, false, 480, Duration.ZERO));
    assertThat(RollPlanner.next(pods, false, TIMEOUT))
        .isEqualTo(new Action.Failover("c-0-2", "c-0-0"));
  }

  @Test
  void waitsForANotReadyPodAndHaltsPastTheTimeout() {
    List<RollPod> waiting =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, true, 5, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, false, false, false, 0, Duration.ofSeconds(10)));
    assertThat(RollPlanner.next(waiting, false, TIMEOUT)).isEqualTo(new Action.Wait("c-0-1"));
    List<RollPod> stuck =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, true, 5, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, false, false, false, 0, Duration.ofMinutes(3)));
    assertThat(RollPlanner.next(stuck, false, TIMEOUT)).isInstanceOf(Action.Halted.class);
  }

  @Test
  void aShardWithoutReplicasRestartsInPlaceOnlyWithPersistence() {
    List<RollPod> pods = List.of(new RollPod("c-0-0", 0, 0, true, true, true, 5, Duration.ZERO));
    assertThat(RollPlanner.next(pods, true, TIMEOUT)).isEqualTo(new Action.DeletePrimary("c-0-0"));
    assertThat(RollPlanner.next(pods, false, TIMEOUT)).isInstanceOf(Action.Unsafe.class);
  }

  @Test
  void aPodWhoseRedisDidNotAnswerIsNeverTakenForAReplica() {
    // The primary's Redis did not answer (a connection timed out): what it is cannot be read, and
    // it must not be restarted as an "old replica" (the shard's slots would go unserved).
    List<RollPod> pods =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, false, -1, Duration.ZERO, false),
            new RollPod("c-0-1", 0, 1, false, true, false, 100, Duration.ZERO));
    assertThat(RollPlanner.next(pods, false, TIMEOUT)).isEqualTo(new Action.Unobserved("c-0-0"));
  }

  @Test
  void aPodOfAnotherShardWhoseRedisDidNotAnswerHoldsTheRollToo() {
    List<RollPod> pods =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, true, 100, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, true, true, false, 100, Duration.ZERO),
            new RollPod("c-1-0", 1, 0, true, true, false, -1, Duration.ZERO, false),
            new RollPod("c-1-1", 1, 1, true, true, false, 100, Duration.ZERO));
    assertThat(RollPlanner.next(pods, false, TIMEOUT)).isEqualTo(new Action.Unobserved("c-1-0"));
  }

  @Test
  void nothingIsRestartedOrFailedOverWhileTheViewsHaveNotSettled() {
    FakeShards c = new FakeShards(1, 2);
    List<String> unsettled = List.of("c-0-1 thinks c-0-0 is a primary but it is a replica");
    assertThat(RollPlanner.next(c.pods, unsettled, false, TIMEOUT))
        .isEqualTo(new Action.Unsettled(unsettled.get(0)));
    c.apply(RollPlanner.next(c.pods, false, TIMEOUT));
    assertThat(RollPlanner.next(c.pods, unsettled, false, TIMEOUT))
        .as("the failover waits too")
        .isEqualTo(new Action.Unsettled(unsettled.get(0)));
    assertThat(RollPlanner.next(c.pods, false, TIMEOUT)).isInstanceOf(Action.Failover.class);
  }

  @Test
  void aShardThatShowsTwoPrimariesOrNoneIsNotRolled() {
    List<RollPod> two =
        List.of(
            new RollPod("c-0-0", 0, 0, true, true, true, 100, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, true, true, true, 100, Duration.ZERO),
            new RollPod("c-0-2", 0, 2, true, true, false, 100, Duration.ZERO));
    assertThat(RollPlanner.next(two, false, TIMEOUT)).isInstanceOf(Action.Unsettled.class);
    List<RollPod> none =
        List.of(
            new RollPod("c-0-0", 0, 0, false, true, false, 100, Duration.ZERO),
            new RollPod("c-0-1", 0, 1, true, true, false, 100, Duration.ZERO));
    assertThat(RollPlanner.next(none, false, TIMEOUT)).isInstanceOf(Action.Unsettled.class);
  }

  @Test
  void currentPodsNeedNothing() {
    List<RollPod> pods =
        List.of(new RollPod("c-0-0", 0, 0, false, false, true, 5, Duration.ofHours(1)));
    assertThat(RollPlanner.next(pods, true, TIMEOUT)).isEqualTo(new Action.Done());
  }

  private static String describe(Action a) {
    if (a instanceof Action.DeleteReplica d) {
      return d.pod();
    }
    if (a instanceof Action.Failover f) {
      return f.replica();
    }
    if (a instanceof Action.DeletePrimary d) {
      return d.pod();
    }
    return "";
  }
}
