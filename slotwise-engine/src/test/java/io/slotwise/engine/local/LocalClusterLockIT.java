package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.testing.TestClusters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Slotwise processes on one local cluster never start a node twice. */
class LocalClusterLockIT {
  static final String LOCKED = "SLOTWISE-TEST-LOCKED";

  @TempDir Path home;

  @AfterEach
  void stop() {
    Leftovers.kill(home);
  }

  /** The other process: holds the cluster's lock until killed. */
  public static void main(String[] args) throws Exception {
    FileChannel ch =
        FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    ch.lock();
    System.out.println(LOCKED);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void whileAnotherProcessHoldsTheClusterNothingStartsANode() throws Exception {
    LocalCluster c = TestClusters.start(home, 3, 1);
    Process other = null;
    try {
      RedisProcess victim = aReplica(c);
      other = holdLock(c.spec().clusterDir().resolve(ClusterLock.NAME));
      victim.crash();

      assertThat(c.superviseOnce()).isEmpty();
      assertThat(victim.alive()).isFalse();
      assertThat(Leftovers.under(victim.dir())).isEmpty();
      int before = c.nodes().size();
      assertThatThrownBy(c::startNewNode)
          .isInstanceOf(LocalClusterException.class)
          .hasMessageContaining("is busy: another Slotwise process")
          .hasMessageNotContaining("\n");
      assertThatThrownBy(() -> LocalCluster.up(c.spec(), line -> {}))
          .isInstanceOf(LocalClusterException.class)
          .hasMessageContaining("is busy");
      assertThat(c.nodes()).hasSize(before);
      assertThat(Leftovers.under(victim.dir())).isEmpty();

      other.destroyForcibly();
      other.waitFor(10, TimeUnit.SECONDS);
      assertThat(c.superviseOnce()).anyMatch(l -> l.contains("restarted it"));
      assertThat(Leftovers.under(victim.dir())).hasSize(1);
    } finally {
      if (other != null) {
        other.destroyForcibly();
      }
      c.destroy();
      c.close();
    }
  }

  @Test
  void twoInstancesHealingAtOnceStartTheNodeOnce() throws Exception {
    LocalCluster c = TestClusters.start(home, 3, 1);
    LocalCluster second = LocalCluster.open(home, c.spec().name(), line -> {}).orElseThrow();
    try {
      for (int round = 0; round < 3; round++) {
        RedisProcess victim = aReplica(c);
        victim.crash();
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<List<String>> a =
            CompletableFuture.supplyAsync(() -> superviseAfter(go, c));
        CompletableFuture<List<String>> b =
            CompletableFuture.supplyAsync(() -> superviseAfter(go, second));
        go.countDown();
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);
        c.superviseOnce(); // whichever skipped, the node is up now
        assertThat(Leftovers.under(victim.dir())).as("round " + round).hasSize(1);
        assertThat(victim.process().orElseThrow().pid())
            .isEqualTo(Leftovers.under(victim.dir()).get(0).pid());
        c.awaitHealthy();
      }
    } finally {
      second.close();
      c.destroy();
      c.close();
    }
  }

  private static List<String> superviseAfter(CountDownLatch go, LocalCluster c) {
    try {
      go.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return c.superviseOnce();
  }

  private static RedisProcess aReplica(LocalCluster c) {
    NodeReport replica =
        c.observe().reachable().stream().filter(r -> r.self().replica()).findFirst().orElseThrow();
    return c.node(replica.address()).orElseThrow();
  }

  private static Process holdLock(Path lockFile) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                LocalClusterLockIT.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Boolean> locked =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.contains(LOCKED)) {
                    return true;
                  }
                }
              } catch (java.io.IOException e) {
                return false;
              }
              return false;
            });
    assertThat(locked.get(30, TimeUnit.SECONDS)).as("the other process holds the lock").isTrue();
    return p;
  }
}
