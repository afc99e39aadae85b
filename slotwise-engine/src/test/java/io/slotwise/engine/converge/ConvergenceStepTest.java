package io.slotwise.engine.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotwise.engine.converge.StepResult.Blocked;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.migrate.MigrationListener;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.plan.PlanningException;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.topology.NodeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocked results that need no Redis process: a provider that fails, a node nobody can reach. */
class ConvergenceStepTest {
  private final RedisAdmin admin = new RedisAdmin(Credentials.NONE);
  private final ClusterObserver observer = new ClusterObserver(admin);
  private final ConvergenceStep step =
      new ConvergenceStep(
          admin,
          observer,
          Waiter.standard(),
          ConvergenceStep.Options.defaults(),
          MigrationListener.NONE,
          line -> {});

  @AfterEach
  void close() {
    observer.close();
    admin.close();
  }

  /** A provider with fixed nodes that records what it was asked and cannot start any node. */
  static final class FailingProvider implements NodeProvider {
    final List<ProviderNode> nodes;
    final List<String> asked = new ArrayList<>();

    FailingProvider(List<ProviderNode> nodes) {
      this.nodes = nodes;
    }

    @Override
    public List<ProviderNode> nodes() {
      return nodes;
    }

    @Override
    public ProviderNode start(NodeSpec spec) {
      asked.add("start " + spec.shard());
      throw new EngineException(Reason.LOCAL_RUNTIME, "no free loopback block left");
    }

    @Override
    public void replace(ProviderNode node) {
      asked.add("replace " + node.name());
      throw new EngineException(Reason.LOCAL_RUNTIME, "redis-server exited at once");
    }

    @Override
    public void remove(ProviderNode node) {
      asked.add("remove " + node.name());
    }
  }

  @Test
  void aProviderThatCannotStartANodeBlocksWithItsReason() {
    FailingProvider provider = new FailingProvider(List.of());

    StepResult result = step.step(DesiredTopology.of(3, 1), provider);

    assertThat(result)
        .isEqualTo(
            new Blocked(
                Reason.NODE_START_FAILED,
                "cannot start a node for shard 0: no free loopback block left"));
    assertThat(provider.asked).containsExactly("start 0");
  }

  @Test
  void aProviderThatCannotRestartANodeBlocks() {
    NodeAddress a = new NodeAddress("127.254.9.1", freePort("127.254.9.1"));
    FailingProvider provider =
        new FailingProvider(List.of(new ProviderNode("node-0", a, a.host(), false)));

    StepResult result = step.step(DesiredTopology.of(3, 0), provider);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).reason()).isEqualTo(Reason.NODE_START_FAILED);
    assertThat(((Blocked) result).message())
        .isEqualTo("cannot restart node node-0: redis-server exited at once");
  }

  @Test
  void aNodeNobodyCanObserveBlocksAndNothingIsStarted() {
    NodeAddress a = new NodeAddress("127.254.9.2", freePort("127.254.9.2"));
    FailingProvider provider =
        new FailingProvider(List.of(new ProviderNode("node-0", a, a.host(), true)));

    StepResult result = step.step(DesiredTopology.of(3, 0), provider);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).reason()).isEqualTo(Reason.NODE_UNREACHABLE);
    assertThat(((Blocked) result).message()).startsWith("node " + a + " cannot be observed: ");
    assertThat(provider.asked).isEmpty();
  }

  @Test
  void anImpossibleTopologyIsRefusedBeforeAnyStep() {
    assertThatThrownBy(() -> DesiredTopology.of(2, 1))
        .isInstanceOf(PlanningException.class)
        .hasMessage("a cluster needs at least 3 shards, got 2");
  }

  @Test
  void reasonsAreStableConditionCodes() {
    assertThat(Reason.NODE_START_FAILED.code()).isEqualTo("NodeStartFailed");
    assertThat(Reason.REPAIR_NEEDED.code()).isEqualTo("RepairNeeded");
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
