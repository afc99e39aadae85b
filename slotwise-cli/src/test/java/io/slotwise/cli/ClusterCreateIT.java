package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.testing.FreshNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slotwise cluster create} on fresh nodes, then {@code cluster check}. */
class ClusterCreateIT {
  @TempDir Path home;
  private FreshNodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static List<String> args(String verb, List<String> rest, String... options) {
    List<String> a = new ArrayList<>(List.of("cluster", verb));
    a.addAll(rest);
    a.addAll(List.of(options));
    return a;
  }

  @Test
  void sixNodesWithOneReplicaEach() {
    nodes = FreshNodes.start(home, 6);

    CommandRun create = CommandRun.of(args("create", nodes.args(), "--replicas", "1"));

    assertThat(create.exitCode()).as(create.err()).isZero();
    assertThat(create.out()).contains("cluster created: 3 shards, 6 nodes");
    CommandRun check = CommandRun.of("cluster", "check", nodes.args().get(0));
    assertThat(check.exitCode()).as(check.out()).isZero();
    assertThat(check.out())
        .contains("6 nodes (6 reachable), 3 primaries with slots, 16384/16384 slots covered")
        .contains("OK: no problems found");
    assertShape(3, 1);
  }

  @Test
  void fifteenNodesAsFiveShardsOfThree() {
    nodes = FreshNodes.start(home, 15);

    CommandRun create = CommandRun.of(args("create", nodes.args(), "--replicas", "2"));

    assertThat(create.exitCode()).as(create.err()).isZero();
    assertThat(create.out()).contains("cluster created: 5 shards, 15 nodes");
    CommandRun check = CommandRun.of("cluster", "check", nodes.args().get(14));
    assertThat(check.exitCode()).as(check.out()).isZero();
    assertThat(check.out())
        .contains("15 nodes (15 reachable), 5 primaries with slots, 16384/16384 slots covered");
    assertShape(5, 2);
  }

  private void assertShape(int shards, int replicas) {
    try (RedisAdmin admin = new RedisAdmin(Credentials.NONE);
        ClusterObserver observer = new ClusterObserver(admin)) {
      ClusterView view = observer.observe(nodes.addresses());
      assertThat(view.slotOwners())
          .hasSize(shards)
          .allSatisfy(
              p ->
                  assertThat(view.replicasOf(p.id()))
                      .hasSize(replicas)
                      .allSatisfy(
                          r -> assertThat(r.address().host()).isNotEqualTo(p.address().host())));
    }
  }
}
