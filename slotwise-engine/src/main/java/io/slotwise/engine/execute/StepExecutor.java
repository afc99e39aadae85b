package io.slotwise.engine.execute;

import io.slotwise.engine.observe.Agreement;
import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.observe.NodeRecord;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs plan steps against Redis. Each step first checks whether its effect is already there, so a
 * plan interrupted at any point can simply be run again.
 */
public final class StepExecutor {
  private final RedisAdmin admin;
  private final ClusterObserver observer;
  private final Waiter waiter;
  private final Consumer<String> progress;

  public StepExecutor(
      RedisAdmin admin, ClusterObserver observer, Waiter waiter, Consumer<String> progress) {
    this.admin = admin;
    this.observer = observer;
    this.waiter = waiter;
    this.progress = progress;
  }

  public void run(List<Step> steps) {
    for (Step s : steps) {
      run(s);
    }
  }

  public void run(Step step) {
    if (step instanceof Step.SetConfigEpoch s) {
      setConfigEpoch(s);
    } else if (step instanceof Step.AssignSlots s) {
      assignSlots(s);
    } else if (step instanceof Step.Meet s) {
      meet(s);
    } else if (step instanceof Step.AwaitAgreement s) {
      awaitAgreement(s.nodes());
    } else if (step instanceof Step.Replicate s) {
      replicate(s);
    } else if (step instanceof Step.AwaitClusterOk s) {
      awaitClusterOk(s.nodes());
    } else if (step instanceof Step.AwaitReplicasInSync s) {
      awaitReplicasInSync(s.nodes());
    } else if (step instanceof Step.Forget s) {
      forget(s);
    } else if (step instanceof Step.Failover s) {
      failover(s);
    } else {
      throw new IllegalArgumentException("unknown step " + step);
    }
  }

  private NodeRecord self(NodeAddress a) {
    return observer.report(a).self();
  }

  private void setConfigEpoch(Step.SetConfigEpoch s) {
    NodeReport r = observer.report(s.node());
    if (!r.reachable()) {
      throw new RedisAdminException(r.error());
    }
    if (r.known().size() > 1 || r.self().configEpoch() != 0) {
      return; // already part of a cluster or already set: the epoch can no longer be chosen
    }
    admin.node(s.node()).setConfigEpoch(s.epoch());
  }

  private void assignSlots(Step.AssignSlots s) {
    NodeRecord self = self(s.node());
    var missing = s.slots().minus(self.slots());
    if (!missing.isEmpty()) {
      admin.node(s.node()).addSlots(missing);
    }
  }

  private void meet(Step.Meet s) {
    NodeReport r = observer.report(s.node());
    boolean known = r.known().stream().anyMatch(rec -> s.other().equals(rec.address()));
    if (!known) {
      admin.node(s.node()).meet(s.other(), s.otherBusPort());
    }
  }

  /** Every node knows every other (no handshakes) and all agree on roles and the slot map. */
  public void awaitAgreement(List<NodeAddress> nodes) {
    progress.accept("waiting for " + nodes.size() + " nodes to agree on members, roles and slots");
    waiter.await("for the nodes to agree", () -> disagreement(nodes, true));
  }

  /**
   * Every node knows every other and all agree on the slot map: what clients need after data moved.
   * Role changes Redis makes by itself (a drained primary turning replica) may still be spreading
   * by gossip.
   */
  public void awaitSlotAgreement(List<NodeAddress> nodes) {
    progress.accept("waiting for " + nodes.size() + " nodes to agree on the slot map");
    waiter.await("for the nodes to agree on the slot map", () -> disagreement(nodes, false));
  }

  private String disagreement(List<NodeAddress> nodes, boolean roles) {
    Agreement agreement = Agreement.of(observer.membership(nodes), roles);
    agreement.nudges().forEach(n -> nudge(n.subject(), n.reporter(), n.reporterBusPort()));
    return agreement.problem();
  }

  private final java.util.Map<String, Long> lastNudge = new java.util.HashMap<>();

  /**
   * Makes {@code subject} send a message to {@code reporter} now instead of waiting for gossip
   * (which, with a long {@code cluster-node-timeout}, may take seconds): a {@code CLUSTER MEET}
   * towards a node it already knows. The reporter reads the subject's role and slots from the
   * message header; the extra handshake is dropped as soon as the reply names a known node.
   */
  private void nudge(NodeAddress subject, NodeAddress reporter, int reporterBusPort) {
    String key = subject + ">" + reporter;
    long now = System.nanoTime();
    Long last = lastNudge.get(key);
    if (last != null && now - last < 300_000_000L) {
      return;
    }
    lastNudge.put(key, now);
    try {
      admin.node(subject).meet(reporter, reporterBusPort);
    } catch (RedisAdminException e) {
      // A handshake towards that address is already under way: it carries the news too.
    }
  }

  private void replicate(Step.Replicate s) {
    NodeRecord self = self(s.replica());
    if (s.primaryId().equals(self.primaryId())) {
      return;
    }
    admin.node(s.replica()).replicate(s.primaryId());
  }

  public void awaitClusterOk(List<NodeAddress> nodes) {
    progress.accept("waiting for cluster_state:ok on " + nodes.size() + " nodes");
    waiter.await(
        "for cluster_state:ok",
        () -> {
          List<String> notOk = new ArrayList<>();
          for (NodeAddress a : nodes) {
            try {
              String state = admin.node(a).clusterInfo().get("cluster_state");
              if (!"ok".equals(state)) {
                notOk.add(a + "=" + state);
              }
            } catch (RedisAdminException e) {
              notOk.add(e.getMessage());
            }
          }
          return notOk.isEmpty() ? null : String.join(", ", notOk);
        });
  }

  public void awaitReplicasInSync(List<NodeAddress> nodes) {
    progress.accept("waiting for replicas to finish their first sync");
    waiter.await(
        "for replicas to sync",
        () -> {
          List<String> behind = new ArrayList<>();
          for (NodeAddress a : nodes) {
            try {
              var repl = admin.node(a).info("replication");
              if ("slave".equals(repl.get("role"))
                  && (!"up".equals(repl.get("master_link_status"))
                      || "1".equals(repl.get("master_sync_in_progress")))) {
                behind.add(a.toString());
              }
            } catch (RedisAdminException e) {
              behind.add(e.getMessage());
            }
          }
          return behind.isEmpty() ? null : "not in sync: " + String.join(", ", behind);
        });
  }

  private void forget(Step.Forget s) {
    NodeReport r = observer.report(s.node());
    if (!r.reachable() || r.about(s.forgottenId()).isEmpty()) {
      return;
    }
    admin.node(s.node()).forget(s.forgottenId());
  }

  private void failover(Step.Failover s) {
    NodeRecord self = self(s.replica());
    if (self.primary()) {
      return;
    }
    admin.node(s.replica()).failover(s.mode());
    waiter.await(
        "for " + s.replica() + " to become primary",
        () -> {
          NodeRecord now = self(s.replica());
          return now != null && now.primary() ? null : "still a replica";
        });
  }
}
