package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.testing.FreshNodes;
import io.slotwise.engine.testing.KeyLedger;
import io.slotwise.engine.testing.Leftovers;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets exit code != 0, one line on stderr that starts with {@code error:}, and changes
 * nothing: fresh nodes still know only themselves, no process is left running.
 */
class BadInputIT {
  private static final String PASSWORD = "s3cret-pw";

  @TempDir Path home;
  private FreshNodes nodes;

  @AfterEach
  void stop() {
    try {
      if (nodes != null) {
        nodes.close();
      }
    } finally {
      Leftovers.kill(home);
    }
  }

  private static CommandRun create(List<String> nodes, String... options) {
    List<String> a = new ArrayList<>(List.of("cluster", "create"));
    a.addAll(nodes);
    a.addAll(List.of(options));
    return CommandRun.of(a);
  }

  /**
   * Exit code != 0 and exactly one line on stderr, starting with {@code error:}; returns that line.
   */
  private static String rejected(CommandRun run) {
    assertThat(run.exitCode()).as("exit code; out: %s", run.out()).isNotZero();
    // The one warning a --password on the command line gets is not part of the error.
    List<String> lines =
        run.errLines().stream().filter(l -> !l.equals(AuthOptions.WARNING)).toList();
    assertThat(lines).singleElement().satisfies(l -> assertThat(l).startsWith("error: "));
    return lines.get(0);
  }

  /** Each node knows only itself, owns no slots and still has config epoch 0. */
  private static void assertUntouched(List<NodeAddress> addresses, String password) {
    try (RedisAdmin admin = new RedisAdmin(Credentials.password(password))) {
      for (NodeAddress a : addresses) {
        List<String> lines = admin.node(a).clusterNodes().lines().toList();
        assertThat(lines)
            .as("CLUSTER NODES of %s", a)
            .singleElement()
            .satisfies(l -> assertThat(l).contains("myself,master").endsWith(" 0 connected"));
      }
    }
  }

  @Test
  void unreachableNode() {
    nodes = FreshNodes.start(home, 3);
    NodeAddress nowhere = new NodeAddress("127.253.253.252", freePort("127.253.253.252"));
    List<String> args = new ArrayList<>(nodes.args().subList(0, 2));
    args.add(nowhere.toString());

    String error = rejected(create(args));

    assertThat(error).isEqualTo("error: " + nowhere + ": cannot connect (Connection refused)");
    assertUntouched(nodes.addresses(), null);
    String checkError = rejected(CommandRun.of("cluster", "check", nowhere.toString()));
    assertThat(checkError).startsWith("error: " + nowhere + ": cannot connect");
  }

  @Test
  void wrongPasswordOrNone() {
    nodes = FreshNodes.start(home, 3, PASSWORD);

    CommandRun wrong = create(nodes.args(), "--password", "wrong");
    assertThat(rejected(wrong))
        .startsWith("error: " + nodes.addresses().get(0) + ": authentication failed");
    assertThat(wrong.errLines()).containsExactly(AuthOptions.WARNING, rejected(wrong));
    assertThat(rejected(create(nodes.args())))
        .startsWith("error: " + nodes.addresses().get(0) + ": the node requires a password");
    // The engine speaks of credentials; only the CLI names its flags, once, at the end.
    assertThat(rejected(wrong)).endsWith(Main.AUTH_HINT).containsOnlyOnce("--password");
    assertThat(rejected(create(nodes.args()))).endsWith(Main.AUTH_HINT);
    CommandRun check = CommandRun.of("cluster", "check", nodes.addresses().get(0).toString());
    assertThat(rejected(check))
        .startsWith("error: " + nodes.addresses().get(0) + ": the node requires a password")
        .endsWith(Main.AUTH_HINT);

    assertUntouched(nodes.addresses(), PASSWORD);
    CommandRun ok = create(nodes.args(), "--password", PASSWORD);
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).doesNotContain(PASSWORD);
  }

  @Test
  void nodeThatBelongsToAnotherCluster() {
    nodes = FreshNodes.start(home, 4);
    NodeAddress member = nodes.addresses().get(2);
    NodeAddress otherMember = nodes.addresses().get(3);
    try (RedisAdmin admin = new RedisAdmin(Credentials.NONE)) {
      admin.node(member).meet(otherMember, nodes.get(3).busPort());
      await("for the two nodes to form a cluster")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  admin
                          .node(member)
                          .clusterNodes()
                          .lines()
                          .filter(l -> !l.contains("handshake"))
                          .count()
                      == 2);
    }

    String error = rejected(create(nodes.args().subList(0, 3)));

    assertThat(error)
        .isEqualTo(
            "error: "
                + member
                + " already belongs to a cluster (it knows 1 other nodes and owns 0 slots);"
                + " use a fresh node or CLUSTER RESET it");
    assertUntouched(nodes.addresses().subList(0, 2), null);
  }

  @Test
  void nodeThatHoldsKeys() {
    nodes = FreshNodes.start(home, 3);
    NodeAddress holder = nodes.addresses().get(1);
    SlotSet slot = SlotSet.range(HashSlots.slotOf("left-over"), HashSlots.slotOf("left-over"));
    try (RedisAdmin admin = new RedisAdmin(Credentials.NONE);
        KeyLedger keys = new KeyLedger()) {
      // A cluster node only takes writes for its own slots: own the key's slot for a moment.
      admin.node(holder).configSet("cluster-require-full-coverage", "no");
      admin.node(holder).addSlots(slot);
      await("for the one-slot node to take writes")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> "OK".equals(keys.commands(holder).set("left-over", "data")));
      admin.node(holder).delSlots(slot);
      admin.node(holder).configSet("cluster-require-full-coverage", "yes");
    }

    String error = rejected(create(nodes.args()));

    assertThat(error)
        .isEqualTo("error: " + holder + " holds 1 keys; only empty nodes can form a cluster");
    assertUntouched(nodes.addresses(), null);
  }

  @Test
  void moreReplicasThanTheNodesAllow() {
    nodes = FreshNodes.start(home, 6);

    String error = rejected(create(nodes.args(), "--replicas", "2"));

    assertThat(error)
        .isEqualTo("error: a cluster needs at least 3 primaries: 9 nodes for --replicas 2, got 6");
    assertUntouched(nodes.addresses(), null);
  }

  @Test
  void localUpOnAPortThatIsTaken() throws IOException {
    try (ServerSocket taken = bindAnyAddressBelow(55536)) {
      int port = taken.getLocalPort();

      String error =
          rejected(
              CommandRun.of(
                  "local",
                  "up",
                  "--port",
                  Integer.toString(port),
                  "--dir",
                  home.toString(),
                  "--name",
                  "x",
                  "--shards",
                  "3",
                  "--replicas",
                  "0"));

      assertThat(error).startsWith("error: port " + port + " is in use on 127.");
      assertThat(Leftovers.under(home)).as("processes left by local up").isEmpty();
      assertThat(Files.exists(home.resolve("x").resolve("cluster.properties")))
          .as("cluster recorded")
          .isFalse();
    }
  }

  /** A listening socket on 0.0.0.0 whose port (and port + 10000) is valid for {@code local up}. */
  private static ServerSocket bindAnyAddressBelow(int limit) throws IOException {
    List<ServerSocket> tooHigh = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        ServerSocket s = new ServerSocket(0);
        if (s.getLocalPort() < limit) {
          return s;
        }
        tooHigh.add(s);
      }
      throw new IllegalStateException("no free port below " + limit);
    } finally {
      for (ServerSocket s : tooHigh) {
        s.close();
      }
    }
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
