package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.ClusterData;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key counts of many slots in one round trip (a read-only script), equal to asking slot by slot,
 * also for an ACL user who may not run scripts, and connections that offer no synchronous API.
 */
class SlotCountsIT {
  @TempDir Path home;
  private final java.util.List<LocalCluster> started = new java.util.ArrayList<>();

  private LocalCluster start() {
    LocalCluster c = TestClusters.start(home, 3, 0);
    started.add(c);
    return c;
  }

  /** Closing a cluster leaves its servers running; destroying stops them. */
  @org.junit.jupiter.api.AfterEach
  void stop() {
    started.forEach(LocalCluster::destroy);
  }

  @Test
  void countsOfManySlotsEqualCountingSlotBySlotWithAndWithoutScripts() {
    try (LocalCluster cluster = start()) {
      NodeReport owner = cluster.observe().slotOwners().get(0);
      NodeAddress seed = owner.address();
      try (ClusterData data = new ClusterData(seed)) {
        data.write("k", 20_000, 8);
      }
      // Owned slots, with a gap, so the script gets several ranges (and more than one call).
      int[] owned = owner.self().slots().toArray();
      int[] slots =
          java.util.stream.IntStream.concat(
                  Arrays.stream(owned, 0, 10),
                  Arrays.stream(owned, 20, Math.min(owned.length, 20 + 3000)))
              .toArray();
      long[] oneByOne;
      long[] byScript;
      try (SlotPipeline p = cluster.admin().pipeline(seed)) {
        oneByOne = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
          oneByOne[i] = p.countKeysInSlot(slots[i]).get();
        }
        raw(seed, c -> c.configResetstat());
        byScript = p.countKeysInSlots(slots);
      }
      String stats = raw(seed, c -> c.info("commandstats"));
      assertThat(stats).as("one script call per 2048 slots").contains("cmdstat_eval:calls=2,");
      assertThat(Arrays.stream(oneByOne).sum()).as("the slots hold keys").isGreaterThan(1000);
      assertThat(byScript).containsExactly(oneByOne);

      // A user without scripting is counted slot by slot, with the same result.
      RedisClient raw = RedisClient.create(RedisURI.create(seed.host(), seed.port()));
      try (StatefulRedisConnection<String, String> c = raw.connect()) {
        c.sync()
            .aclSetuser(
                "counter",
                io.lettuce.core.AclSetuserArgs.Builder.on()
                    .addPassword("counter-secret")
                    .allKeys()
                    .allCommands()
                    .removeCategory(io.lettuce.core.AclCategory.SCRIPTING));
      } finally {
        raw.shutdown();
      }
      try (RedisAdmin restricted = new RedisAdmin(Credentials.of("counter", "counter-secret"));
          SlotPipeline p = restricted.pipeline(seed)) {
        assertThat(p.countKeysInSlots(slots)).containsExactly(oneByOne);
      }
      assertThat(slots.length).isLessThan(HashSlots.COUNT);
    }
  }

  private static <T> T raw(
      NodeAddress a,
      java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> f) {
    RedisClient raw = RedisClient.create(RedisURI.create(a.host(), a.port()));
    try (StatefulRedisConnection<String, String> c = raw.connect()) {
      return f.apply(c.sync());
    } finally {
      raw.shutdown();
    }
  }

  @Test
  void connectionsOfferTheAsynchronousApiOnly() {
    try (LocalCluster cluster = start()) {
      NodeAddress seed = cluster.observe().slotOwners().get(0).address();
      StatefulRedisConnection<String, String> c = cluster.admin().connectStrings(seed);
      try {
        assertThatThrownBy(c::sync).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(c::reactive).isInstanceOf(UnsupportedOperationException.class);
        assertThat(c.async().ping().toCompletableFuture().join()).isEqualTo("PONG");
      } finally {
        c.close();
      }
    }
  }
}
