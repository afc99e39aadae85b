package io.slotwise.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.local.LocalCluster;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.TestClusters;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kinds of errors as a real redis-server answers them, through our client and raw. */
class RedisErrorsIT {
  @TempDir Path home;

  private static RedisErrorKind rawReply(
      NodeAddress a, Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> command) {
    RedisClient client = RedisClient.create(RedisURI.create(a.host(), a.port()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommandExecutionException e =
          catchThrowableOfType(
              () -> command.accept(c.sync()), RedisCommandExecutionException.class);
      assertThat(e).as("the server refused").isNotNull();
      return RedisErrorKind.parse(e.getMessage());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void clusterRepliesAreParsedIntoKinds() {
    try (LocalCluster cluster = TestClusters.start(home, 3, 1)) {
      try {
        ClusterView view = cluster.observe();
        NodeReport owner = view.slotOwners().get(0);
        NodeReport other = view.slotOwners().get(1);
        int slot = owner.self().slots().first(1).toArray()[0];
        String key = keyOf(slot);
        NodeClient o = cluster.admin().node(owner.address());
        NodeClient t = cluster.admin().node(other.address());

        assertThat(rawReply(other.address(), c -> c.get(key))).isEqualTo(RedisErrorKind.MOVED);
        assertThat(rawReply(owner.address(), c -> c.mset(java.util.Map.of("a", "1", "b", "2"))))
            .isEqualTo(RedisErrorKind.CROSSSLOT);
        assertThat(
                rawReply(
                    owner.address(),
                    c -> {
                      c.set("{" + key + "}busy", "x");
                      c.restore("{" + key + "}busy", 0, c.dump("{" + key + "}busy"));
                    }))
            .isEqualTo(RedisErrorKind.BUSYKEY);

        RedisAdminException already =
            catchThrowableOfType(
                () -> o.setSlotImporting(slot, other.id()), RedisAdminException.class);
        assertThat(already.kind()).isEqualTo(RedisErrorKind.ERR_NOT_OWNER);
        RedisAdminException notOwner =
            catchThrowableOfType(
                () -> t.setSlotMigrating(slot, owner.id()), RedisAdminException.class);
        assertThat(notOwner.kind()).isEqualTo(RedisErrorKind.ERR_NOT_OWNER);
        NodeReport replica =
            view.reachable().stream().filter(r -> !r.self().primary()).findFirst().orElseThrow();
        RedisAdminException onReplica =
            catchThrowableOfType(
                () -> cluster.admin().node(replica.address()).setSlotStable(slot),
                RedisAdminException.class);
        assertThat(onReplica.kind()).isEqualTo(RedisErrorKind.ONLY_WITH_MASTERS);

        o.setSlotMigrating(slot, other.id());
        assertThat(rawReply(owner.address(), c -> c.get(key))).isEqualTo(RedisErrorKind.ASK);
        o.setSlotStable(slot);
      } finally {
        cluster.destroy();
      }
    }
  }

  @Test
  void unservedSlotAuthAndUnreachableNodes() throws Exception {
    try (FreshNodes fresh = FreshNodes.start(home, 1);
        RedisAdmin admin = new RedisAdmin(Credentials.NONE)) {
      NodeAddress a = fresh.addresses().get(0);
      assertThat(rawReply(a, c -> c.get("k"))).isEqualTo(RedisErrorKind.CLUSTERDOWN);
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      RedisAdminException down =
          catchThrowableOfType(
              () -> admin.node(new NodeAddress("127.0.0.1", port)).ping(),
              RedisAdminException.class);
      assertThat(down.kind()).isEqualTo(RedisErrorKind.CONNECTION_FAILED);
      assertThat(down.reason()).isEqualTo(Reason.NODE_UNREACHABLE);
    }
    try (FreshNodes secured = FreshNodes.start(home.resolve("pw"), 1, "s3cret");
        RedisAdmin none = new RedisAdmin(Credentials.NONE);
        RedisAdmin wrong = new RedisAdmin(Credentials.password("wrong"))) {
      NodeAddress a = secured.addresses().get(0);
      RedisAdminException noauth =
          catchThrowableOfType(() -> none.node(a).ping(), RedisAdminException.class);
      assertThat(noauth.kind()).isEqualTo(RedisErrorKind.NOAUTH);
      assertThat(noauth.reason()).isEqualTo(Reason.AUTH_FAILED);
      assertThat(noauth.getMessage()).doesNotContain("--");
      assertThatThrownBy(() -> wrong.node(a).ping())
          .isInstanceOfSatisfying(
              RedisAdminException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RedisErrorKind.WRONGPASS);
                assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED);
                assertThat(e.getMessage()).doesNotContain("--");
              });
    }
  }

  private static String keyOf(int slot) {
    for (int i = 0; ; i++) {
      String k = "k" + i;
      if (HashSlots.slotOf(k) == slot) {
        return k;
      }
    }
  }
}
