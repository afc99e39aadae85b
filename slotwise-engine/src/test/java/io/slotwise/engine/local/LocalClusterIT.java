package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.testing.TestClusters;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterIT {
  @TempDir Path home;

  @Test
  void startsHealthyThreeByOneClusterAndStopsEveryProcess() {
    LocalCluster c = TestClusters.start(home, 3, 1);
    try {
      ClusterView view = c.observe();
      assertThat(view.reachable()).hasSize(6);
      assertThat(view.slotOwners()).hasSize(3);
      assertThat(ClusterChecker.check(view)).isEmpty();
    } finally {
      c.destroy();
      c.close();
    }
    assertThat(c.nodes()).noneMatch(RedisProcess::alive);
  }
}
