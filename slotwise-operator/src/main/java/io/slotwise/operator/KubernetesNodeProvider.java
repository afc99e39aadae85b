package io.slotwise.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.slotwise.engine.converge.NodeProvider;
import io.slotwise.engine.converge.NodeSpec;
import io.slotwise.engine.converge.ProviderNode;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.failure.Reason;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.operator.model.ClusterModel;
import io.slotwise.operator.model.Labels;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The pods of a RedisCluster's StatefulSets as a {@link NodeProvider}: a node is a pod at {@code
 * podIP:redisPort}, in the failure domain of its Kubernetes node (or its own name when it has none
 * yet), kept in the shard of its StatefulSet. Nodes are ordered by shard, then ordinal, so the
 * engine's "newest" is the highest ordinal of the highest shard. Starting a node scales its shard's
 * StatefulSet up; replacing one deletes its pod (the StatefulSet recreates it, with its volume when
 * persistent); removing one scales the StatefulSet down by its highest ordinal, deletes the
 * StatefulSet when it becomes empty, and deletes the pod's volume claim when the scale-down policy
 * says so.
 */
public final class KubernetesNodeProvider implements NodeProvider {
  private final KubernetesClient client;
  private final ClusterModel model;
  private final Waiter waiter;
  private final Consumer<String> topologyEvent;

  /**
   * @param waiter bounds the wait for a started or replaced pod to be Ready
   * @param topologyEvent hears each change of pods (for Events)
   */
  public KubernetesNodeProvider(
      KubernetesClient client, ClusterModel model, Waiter waiter, Consumer<String> topologyEvent) {
    this.client = client;
    this.model = model;
    this.waiter = waiter;
    this.topologyEvent = topologyEvent;
  }

  /** The pods of the cluster, not being deleted, in shard and ordinal order. */
  public List<Pod> pods() {
    return client
        .pods()
        .inNamespace(model.settings().namespace())
        .withLabels(Labels.pods(model.settings().name()))
        .list()
        .getItems()
        .stream()
        .filter(p -> !Pods.terminating(p))
        .sorted(Pods.ORDER)
        .toList();
  }

  @Override
  public List<ProviderNode> nodes() {
    return pods().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
        .map(this::describe)
        .toList();
  }

  ProviderNode describe(Pod pod) {
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return new ProviderNode(
        pod.getMetadata().getName(),
        address(pod),
        nodeName == null || nodeName.isBlank() ? pod.getMetadata().getName() : nodeName,
        Pods.ready(pod),
        Pods.shard(pod));
  }

  NodeAddress address(Pod pod) {
    return new NodeAddress(pod.getStatus().getPodIP(), model.settings().redisPort());
  }

  @Override
  public ProviderNode start(NodeSpec spec) {
    String sts = model.statefulSetName(spec.shard());
    StatefulSet current = statefulSet(spec.shard());
    int ordinal;
    try {
      if (current == null) {
        client.resource(model.statefulSet(spec.shard(), 1)).create();
        ordinal = 0;
      } else {
        ordinal = current.getSpec().getReplicas();
        client
            .apps()
            .statefulSets()
            .inNamespace(model.settings().namespace())
            .withName(sts)
            .scale(ordinal + 1);
      }
    } catch (KubernetesClientException e) {
      throw new EngineException(
          Reason.NODE_START_FAILED, "cannot scale up StatefulSet " + sts + ": " + e.getMessage());
    }
    String podName = sts + "-" + ordinal;
    topologyEvent.accept("scaled StatefulSet " + sts + " up to " + (ordinal + 1) + " pods");
    Pod pod = awaitReady(podName, null);
    return describe(pod);
  }

  @Override
  public void replace(ProviderNode node) {
    Pod pod = pod(node.name()).orElse(null);
    String uid = pod == null ? null : pod.getMetadata().getUid();
    if (pod != null) {
      client.resource(pod).delete();
      topologyEvent.accept("deleted pod " + node.name() + " so that it starts again");
    }
    awaitReady(node.name(), uid);
  }

  @Override
  public void remove(ProviderNode node) {
    Pod pod =
        pod(node.name())
            .orElseThrow(
                () ->
                    new EngineException(
                        Reason.NODE_START_FAILED, "pod " + node.name() + " does not exist"));
    int shard = Pods.shard(pod);
    int ordinal = Pods.ordinal(pod);
    StatefulSet sts = statefulSet(shard);
    if (sts == null) {
      throw new EngineException(
          Reason.NODE_START_FAILED, "pod " + node.name() + " has no StatefulSet");
    }
    int replicas = sts.getSpec().getReplicas();
    if (ordinal != replicas - 1) {
      throw new EngineException(
          Reason.NODE_START_FAILED,
          "node "
              + node.name()
              + " is not the highest ordinal of StatefulSet "
              + sts.getMetadata().getName()
              + " ("
              + replicas
              + " pods), so it cannot be removed by scaling down");
    }
    var sets = client.apps().statefulSets().inNamespace(model.settings().namespace());
    if (replicas == 1) {
      sets.withName(sts.getMetadata().getName()).delete();
      client
          .policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace(model.settings().namespace())
          .withName(model.pdbName(shard))
          .delete();
      client.resource(pod).delete();
      topologyEvent.accept(
          "deleted StatefulSet " + sts.getMetadata().getName() + ", whose shard left");
    } else {
      sets.withName(sts.getMetadata().getName()).scale(replicas - 1);
      topologyEvent.accept(
          "scaled StatefulSet "
              + sts.getMetadata().getName()
              + " down to "
              + (replicas - 1)
              + " pods");
    }
    if (model.settings().deleteClaimsOnScaleDown() && model.settings().persistent()) {
      client
          .persistentVolumeClaims()
          .inNamespace(model.settings().namespace())
          .withName("data-" + node.name())
          .delete();
    }
  }

  StatefulSet statefulSet(int shard) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(model.settings().namespace())
        .withName(model.statefulSetName(shard))
        .get();
  }

  private Optional<Pod> pod(String name) {
    return Optional.ofNullable(
        client.pods().inNamespace(model.settings().namespace()).withName(name).get());
  }

  /** Waits for the named pod to be Ready, and to be another pod than {@code oldUid}. */
  private Pod awaitReady(String name, String oldUid) {
    Pod[] found = new Pod[1];
    try {
      waiter.await(
          "for pod " + name + " to be Ready",
          () -> {
            Pod p = pod(name).orElse(null);
            if (p == null) {
              return "it does not exist yet";
            }
            if (oldUid != null && oldUid.equals(p.getMetadata().getUid())) {
              return "the old pod is still there";
            }
            if (!Pods.ready(p)) {
              return "it is not Ready";
            }
            found[0] = p;
            return null;
          });
    } catch (EngineException e) {
      throw new EngineException(Reason.NODE_START_FAILED, e.getMessage());
    }
    return found[0];
  }
}
