package io.slotwise.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.operator.OperatorConfig;
import io.slotwise.operator.SlotwiseOperator;
import io.slotwise.operator.sim.Simulation;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operators with leader election on one simulated Kubernetes: one holds the Lease and
 * reconciles; when it stops, the other takes the Lease over and reconciles what comes next.
 */
class LeaderElectionIT {
  @TempDir Path dir;

  @Test
  void theSecondOperatorTakesOverWhenTheLeaderStops() {
    Simulation sim = Simulation.start(dir);
    SlotwiseOperator first = null;
    SlotwiseOperator second = null;
    try {
      OperatorConfig config =
          OperatorConfig.defaults()
              .withRedisPort(sim.redisPort())
              .withRequeue(Duration.ofMillis(500));
      var election = new SlotwiseOperator.LeaderElection("slotwise-leader", "default", false);
      first = new SlotwiseOperator(sim.client(), config, election).start();
      Lease lease =
          await("a Lease held")
              .atMost(OperatorHarness.LONG)
              .until(() -> lease(sim), l -> l != null && l.getSpec().getHolderIdentity() != null);
      String leader = lease.getSpec().getHolderIdentity();
      second = new SlotwiseOperator(sim.client(), config, election).start();

      create(sim, "one");
      await("one Ready").atMost(OperatorHarness.LONG).until(() -> ready(sim, "one"));
      assertThat(lease(sim).getSpec().getHolderIdentity()).isEqualTo(leader);

      first.close();
      first = null;
      await("the Lease taken over")
          .atMost(OperatorHarness.LONG)
          .until(
              () -> lease(sim),
              l ->
                  l.getSpec().getHolderIdentity() != null
                      && !leader.equals(l.getSpec().getHolderIdentity()));
      create(sim, "two");
      await("two Ready, reconciled by the new leader")
          .atMost(OperatorHarness.LONG)
          .until(() -> ready(sim, "two"));
    } finally {
      if (first != null) {
        first.close();
      }
      if (second != null) {
        second.close();
      }
      sim.close();
      assertThat(Leftovers.under(dir)).as("processes left behind").isEmpty();
      Leftovers.kill(dir);
    }
  }

  private static Lease lease(Simulation sim) {
    return sim.client().leases().inNamespace("default").withName("slotwise-leader").get();
  }

  private static void create(Simulation sim, String name) {
    RedisCluster rc = new RedisCluster();
    rc.getMetadata().setName(name);
    rc.getMetadata().setNamespace("leader");
    rc.setSpec(new RedisClusterSpec());
    sim.client().resource(rc).create();
  }

  private static boolean ready(Simulation sim, String name) {
    RedisCluster rc =
        sim.client().resources(RedisCluster.class).inNamespace("leader").withName(name).get();
    return rc != null && OperatorHarness.readyNow(rc);
  }
}
