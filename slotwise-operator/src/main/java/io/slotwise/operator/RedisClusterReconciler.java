package io.slotwise.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.slotwise.api.v1alpha1.Auth;
import io.slotwise.api.v1alpha1.NodeStatus;
import io.slotwise.api.v1alpha1.Operation;
import io.slotwise.api.v1alpha1.RedisCluster;
import io.slotwise.api.v1alpha1.RedisClusterSpec;
import io.slotwise.api.v1alpha1.RedisClusterStatus;
import io.slotwise.api.v1alpha1.ShardStatus;
import io.slotwise.api.v1alpha1.SpecValidator;
import io.slotwise.api.v1alpha1.Storage;
import io.slotwise.engine.converge.ConvergenceStep;
import io.slotwise.engine.converge.DesiredTopology;
import io.slotwise.engine.converge.StepResult;
import io.slotwise.engine.execute.NodeMembership;
import io.slotwise.engine.execute.StepExecutor;
import io.slotwise.engine.execute.Waiter;
import io.slotwise.engine.failure.EngineException;
import io.slotwise.engine.health.ClusterChecker;
import io.slotwise.engine.health.ClusterFixer;
import io.slotwise.engine.health.FixReport;
import io.slotwise.engine.health.Problem;
import io.slotwise.engine.migrate.SlotMigrator;
import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.plan.CreatePlanner;
import io.slotwise.engine.plan.Step;
import io.slotwise.engine.topology.FailoverMode;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.operator.model.ClusterModel;
import io.slotwise.operator.model.ClusterSettings;
import io.slotwise.operator.model.Labels;
import io.slotwise.operator.model.RedisConfig;
import io.slotwise.operator.roll.RollPlanner;
import io.slotwise.operator.status.Conditions;
import io.slotwise.operator.status.StatusReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reconciles one RedisCluster as an ordered pipeline; each reconcile does a bounded amount of work
 * and asks to be called again while an operation runs:
 *
 * <pre>
 *   validate → secret → configMap → services → podDisruptionBudgets → statefulSets → podsReady
 *     → liveConfig → cluster (re-introduce moved nodes, forget ghosts, one convergence step)
 *     → roll → status
 * </pre>
 *
 * Intent is recorded in status (the operation) before the step that acts, and Redis holds the rest
 * of the truth, so an operator restarted at any point carries on. A paused cluster only gets its
 * status. Bad input stops the pipeline before any object changes.
 */
public final class RedisClusterReconciler implements Reconciler<RedisCluster> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterReconciler.class);

  /** How long a down primary's replica may take to be promoted before the cluster is Degraded. */
  static final Duration FAILOVER_GRACE = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final ClusterConnections connections = new ClusterConnections();
  private final ClusterEvents events;
  private final OperatorMetrics metrics;

  public RedisClusterReconciler(
      KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.config = config;
    this.events = new ClusterEvents(client);
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, RedisCluster>> prepareEventSources(
      EventSourceContext<RedisCluster> context) {
    String selector = Labels.MANAGED_BY + "=" + Labels.OPERATOR;
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, RedisCluster.class)
            .withName("pods")
            .withLabelSelector(selector)
            .withSecondaryToPrimaryMapper(RedisClusterReconciler::owner)
            .withNamespacesInheritedFromController()
            .build();
    var sets =
        InformerEventSourceConfiguration.from(StatefulSet.class, RedisCluster.class)
            .withName("statefulsets")
            .withLabelSelector(selector)
            .withSecondaryToPrimaryMapper(RedisClusterReconciler::owner)
            .withNamespacesInheritedFromController()
            .build();
    return List.of(
        new InformerEventSource<>(pods, context), new InformerEventSource<>(sets, context));
  }

  private static Set<ResourceID> owner(HasMetadata r) {
    String instance =
        r.getMetadata().getLabels() == null
            ? null
            : r.getMetadata().getLabels().get(Labels.INSTANCE);
    return instance == null
        ? Set.of()
        : Set.of(new ResourceID(instance, r.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<RedisCluster> reconcile(RedisCluster rc, Context<RedisCluster> context) {
    String id =
        "RedisCluster(" + rc.getMetadata().getNamespace() + "/" + rc.getMetadata().getName() + ")";
    MDC.put("resource", id);
    try {
      Duration next = metrics.reconciles().recordCallable(() -> new Reconcile(rc).run());
      return UpdateControl.<RedisCluster>noUpdate().rescheduleAfter(next);
    } catch (Exception e) {
      metrics.error();
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    } finally {
      MDC.remove("resource");
    }
  }

  @Override
  public ErrorStatusUpdateControl<RedisCluster> updateErrorStatus(
      RedisCluster rc, Context<RedisCluster> context, Exception e) {
    LOG.warn("{} reconcile failed: {}", prefix(rc), e.toString());
    return ErrorStatusUpdateControl.<RedisCluster>noStatusUpdate()
        .rescheduleAfter(Duration.ofSeconds(5));
  }

  static String prefix(RedisCluster rc) {
    return "RedisCluster("
        + rc.getMetadata().getNamespace()
        + "/"
        + rc.getMetadata().getName()
        + ")";
  }

  /** One pass of the pipeline over one RedisCluster. */
  private final class Reconcile {
    final RedisCluster rc;
    final String prefix;
    final RedisClusterStatus previous;
    final RedisClusterStatus status;
    final long generation;
    ClusterSettings settings;
    ClusterModel model;
    KubernetesNodeProvider provider;
    String password;

    /** The first shard's StatefulSet as validate() found it; null for a cluster not yet created. */
    StatefulSet existing;

    Reconcile(RedisCluster rc) {
      this.rc = rc;
      this.prefix = prefix(rc);
      this.previous = rc.getStatus() == null ? new RedisClusterStatus() : rc.getStatus();
      this.status = copy(previous);
      this.generation =
          rc.getMetadata().getGeneration() == null ? 0 : rc.getMetadata().getGeneration();
    }

    Duration run() {
      if (rc.paused()) {
        return paused();
      }
      Optional<String> invalid = validate();
      if (invalid.isPresent()) {
        return invalidSpec(invalid.get());
      }
      settings = ClusterSettings.of(rc, config.redisPort());
      model = new ClusterModel(settings, ownerReference(rc));
      if (!secret()) {
        return config.resync();
      }
      configMap();
      services();
      podDisruptionBudgets();
      statefulSets();
      provider =
          new KubernetesNodeProvider(
              client,
              model,
              new Waiter(config.podReadyTimeout(), Duration.ofMillis(250)),
              what -> events.normal(rc, "Scaled", what));
      List<Pod> pods = provider.pods();
      Optional<Duration> notReady = podsReady(pods);
      if (notReady.isPresent()) {
        return notReady.get();
      }
      ClusterConnections.Session session = connections.session(key(rc), password);
      ClusterView view = observe(session, pods);
      liveConfig(session, view);
      Optional<Duration> clusterWork = cluster(session, pods, view);
      if (clusterWork.isPresent()) {
        return clusterWork.get();
      }
      Optional<Duration> rolling = roll(session, provider.pods());
      if (rolling.isPresent()) {
        return rolling.get();
      }
      return healthy(observe(session, provider.pods()));
    }

    // ---- validate ----------------------------------------------------------------------------

    /**
     * What admission refuses on a real API server (schema and CEL rules, {@link SpecValidator}) and
     * what it cannot see, said so that the user knows what to fix. The transition rules compare
     * with the spec the cluster runs with, read back from its first StatefulSet (storage, the
     * password's Secret), so they hold even where no admission ran or the CRD's rules were
     * bypassed.
     */
    Optional<String> validate() {
      RedisClusterSpec spec = rc.getSpec() == null ? new RedisClusterSpec() : rc.getSpec();
      existing =
          client
              .apps()
              .statefulSets()
              .inNamespace(rc.getMetadata().getNamespace())
              .withName(rc.getMetadata().getName() + "-0")
              .get();
      List<String> errors =
          existing == null
              ? SpecValidator.validate(spec)
              : SpecValidator.validateUpdate(running(existing, spec), spec);
      if (errors.isEmpty() && spec.getShards() < CreatePlanner.MIN_SHARDS) {
        // The CRD admits 1 or more; the engine forms and keeps no cluster of fewer (a failover
        // needs a majority of primaries), and would throw on every reconcile without a word.
        errors.add(
            "spec.shards is "
                + spec.getShards()
                + ": Slotwise runs at least "
                + CreatePlanner.MIN_SHARDS
                + " shards (Redis Cluster fails over by a majority of primaries): set it to "
                + CreatePlanner.MIN_SHARDS
                + " or more");
      }
      return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
    }

    /**
     * The storage and Secret of the spec a StatefulSet was written from, as far as {@link
     * SpecValidator#validateUpdate} compares them; everything else as in {@code spec}.
     */
    RedisClusterSpec running(StatefulSet sts, RedisClusterSpec spec) {
      RedisClusterSpec old = new RedisClusterSpec();
      var claims = sts.getSpec().getVolumeClaimTemplates();
      if (claims != null && !claims.isEmpty()) {
        var claim = claims.get(0).getSpec();
        Quantity size =
            claim.getResources() == null || claim.getResources().getRequests() == null
                ? null
                : claim.getResources().getRequests().get("storage");
        Storage storage = new Storage(size == null ? null : size.toString());
        storage.setStorageClassName(claim.getStorageClassName());
        old.setStorage(storage);
      }
      String secret =
          sts.getSpec().getTemplate().getSpec().getVolumes() == null
              ? null
              : sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                  .filter(v -> v.getSecret() != null)
                  .map(v -> v.getSecret().getSecretName())
                  .findFirst()
                  .orElse(null);
      String wanted = spec.getAuth() == null ? null : spec.getAuth().getSecretName();
      Auth auth = new Auth();
      // The generated Secret NAME-auth is what an unset secretName means.
      auth.setSecretName(
          secret == null
                  || secret.equals(ClusterModel.secretName(rc.getMetadata().getName()))
                      && !secret.equals(wanted)
              ? null
              : secret);
      old.setAuth(auth);
      return old;
    }

    Duration invalidSpec(String message) {
      if (!message.equals(conditionMessage(RedisClusterStatus.READY))) {
        events.warning(rc, StatusReason.INVALID_SPEC.code(), message);
        LOG.warn("{} invalid spec: {}", prefix, message);
      }
      setCondition(RedisClusterStatus.READY, false, StatusReason.INVALID_SPEC.code(), message);
      setCondition(RedisClusterStatus.DEGRADED, true, StatusReason.INVALID_SPEC.code(), message);
      status.setSummary("InvalidSpec");
      writeStatus();
      return config.resync();
    }

    Duration paused() {
      setCondition(
          RedisClusterStatus.PROGRESSING,
          false,
          StatusReason.PAUSED.code(),
          "annotation " + Labels.PAUSED + "=true: no action is taken");
      status.setSummary("Paused");
      writeStatus();
      return config.resync();
    }

    // ---- Kubernetes objects ------------------------------------------------------------------

    /** The password: the user's Secret must exist; ours is created once and never regenerated. */
    boolean secret() {
      if (!settings.authEnabled()) {
        password = null;
        return true;
      }
      Secret s =
          client.secrets().inNamespace(settings.namespace()).withName(settings.secretName()).get();
      // A new password only for a new cluster: running nodes keep the one they started with, so
      // a deleted Secret must be restored, not replaced (a new one would lock the operator out).
      if (s == null && settings.generatedSecret() && existing == null) {
        s = create(model.secret(ClusterModel.newPassword()));
        events.normal(
            rc, "SecretCreated", "generated a password in Secret " + settings.secretName());
      }
      String pw = s == null ? null : password(s);
      if (pw == null || pw.isEmpty()) {
        String message =
            "Secret "
                + settings.secretName()
                + (s == null ? " does not exist" : " has no key 'password'")
                + (s == null && settings.generatedSecret()
                    ? "; the running nodes keep their password: restore the Secret (key"
                        + " 'password') from a backup"
                    : "; create it with the cluster's password under the key 'password'");
        if (!message.equals(conditionMessage(RedisClusterStatus.READY))) {
          events.warning(rc, StatusReason.SECRET_MISSING.code(), message);
          LOG.warn("{} {}", prefix, message);
        }
        setCondition(RedisClusterStatus.READY, false, StatusReason.SECRET_MISSING.code(), message);
        setCondition(
            RedisClusterStatus.DEGRADED, true, StatusReason.SECRET_MISSING.code(), message);
        status.setSummary("SecretMissing");
        writeStatus();
        return false;
      }
      password = pw;
      return true;
    }

    void configMap() {
      createOrUpdate(model.configMap());
    }

    void services() {
      createOrUpdate(model.headlessService());
      createOrUpdate(model.clientService());
    }

    void podDisruptionBudgets() {
      for (int i = 0; i < settings.shards(); i++) {
        createOrUpdate(model.podDisruptionBudget(i));
      }
    }

    /**
     * Missing shards' StatefulSets are created with all their pods; existing ones get the current
     * template but keep their replica count and claims (scaling is the engine's, through the node
     * provider; claim templates cannot change). Shards above the spec stay until the engine drained
     * and removed them.
     */
    void statefulSets() {
      var sets = client.apps().statefulSets().inNamespace(settings.namespace());
      for (int i = 0; i < settings.shards(); i++) {
        StatefulSet current = sets.withName(model.statefulSetName(i)).get();
        if (current == null) {
          create(model.statefulSet(i, settings.podsPerShard()));
          events.normal(
              rc,
              "ShardCreated",
              "created StatefulSet "
                  + model.statefulSetName(i)
                  + " with "
                  + settings.podsPerShard()
                  + " pods");
          continue;
        }
        // The pod template carries the revision of everything in it; only a new one is written.
        var annotations = current.getSpec().getTemplate().getMetadata().getAnnotations();
        if (annotations != null && model.revision().equals(annotations.get(Labels.REVISION))) {
          continue;
        }
        StatefulSet wanted = model.statefulSet(i, current.getSpec().getReplicas());
        sets.withName(model.statefulSetName(i))
            .edit(
                s -> {
                  s.getSpec().setTemplate(wanted.getSpec().getTemplate());
                  return s;
                });
      }
    }

    // ---- pods ready --------------------------------------------------------------------------

    /**
     * Every pod of every StatefulSet exists and is Ready. A pod of an old revision that has not
     * been Ready for the whole timeout is deleted, so that it comes back from the current template:
     * that is how reverting a spec resumes a halted roll.
     */
    Optional<Duration> podsReady(List<Pod> pods) {
      int expected = 0;
      for (StatefulSet sts :
          client
              .apps()
              .statefulSets()
              .inNamespace(settings.namespace())
              .withLabels(Labels.cluster(settings.name()))
              .list()
              .getItems()) {
        expected += sts.getSpec().getReplicas();
      }
      List<Pod> notReady = pods.stream().filter(p -> !Pods.ready(p)).toList();
      status.setReadyNodes(pods.size() - notReady.size());
      if (notReady.isEmpty() && pods.size() >= expected) {
        return Optional.empty();
      }
      Instant now = Instant.now();
      String revision = model.revision();
      for (Pod p : notReady) {
        if (!revision.equals(Pods.revision(p))
            && Pods.age(p, now).compareTo(config.podReadyTimeout()) > 0) {
          client.resource(p).delete();
          events.normal(
              rc,
              "PodRecreated",
              "deleted pod "
                  + p.getMetadata().getName()
                  + ", not Ready and of an old revision, so it starts from the current spec");
        }
      }
      Optional<Pod> stuck =
          notReady.stream()
              .filter(p -> Pods.age(p, now).compareTo(config.podReadyTimeout()) > 0)
              .findFirst();
      String message =
          (pods.size() - notReady.size())
              + " of "
              + expected
              + " pods Ready"
              + (notReady.isEmpty()
                  ? ""
                  : "; waiting for " + notReady.get(0).getMetadata().getName());
      boolean rolling =
          previous.getOperation() != null
              && Operation.ROLLING.equals(previous.getOperation().getType());
      if (stuck.isPresent()) {
        String reason =
            rolling ? StatusReason.ROLL_HALTED.code() : StatusReason.PODS_NOT_READY.code();
        String m =
            "pod "
                + stuck.get().getMetadata().getName()
                + " has not been Ready for "
                + config.podReadyTimeout().toSeconds()
                + " s"
                + (rolling
                    ? "; the roll is halted: fix the image or spec (or revert it)"
                    : "; check its image and events");
        if (!m.equals(conditionMessage(RedisClusterStatus.DEGRADED))) {
          events.warning(rc, reason, m);
        }
        setCondition(RedisClusterStatus.DEGRADED, true, reason, m);
        setCondition(RedisClusterStatus.READY, false, reason, m);
        status.setSummary(reason);
      } else {
        setCondition(RedisClusterStatus.READY, false, StatusReason.PODS_NOT_READY.code(), message);
        status.setSummary("PodsNotReady");
      }
      setCondition(
          RedisClusterStatus.PROGRESSING, true, StatusReason.PODS_NOT_READY.code(), message);
      writeStatus();
      return Optional.of(config.requeue());
    }

    // ---- live config ------------------------------------------------------------------------

    /** Directives Redis takes live are set on every node whose value differs; no pod restarts. */
    void liveConfig(ClusterConnections.Session session, ClusterView view) {
      Map<String, String> live = RedisConfig.liveOnes(settings.config());
      if (live.isEmpty()) {
        return;
      }
      for (NodeReport r : view.reachable()) {
        for (var e : live.entrySet()) {
          try {
            var node = session.admin().node(r.address());
            String now = node.configGet(e.getKey()).get(e.getKey());
            if (!sameValue(now, e.getValue())) {
              node.configSet(e.getKey(), e.getValue());
              LOG.info("{} set {} on {} with CONFIG SET", prefix, e.getKey(), r.address());
            }
          } catch (EngineException ex) {
            LOG.warn(
                "{} cannot set {} on {}: {}", prefix, e.getKey(), r.address(), ex.getMessage());
          }
        }
      }
    }

    // ---- cluster -----------------------------------------------------------------------------

    Optional<Duration> cluster(
        ClusterConnections.Session session, List<Pod> pods, ClusterView view) {
      List<Step.Meet> meets = ClusterHealing.reintroductions(view);
      if (!meets.isEmpty()) {
        startOperation(Operation.REPAIRING);
        recordOperation(
            "ReintroducingNodes", meets.size() + " node address(es) changed", 0, meets.size());
        writeStatus();
        StepExecutor executor =
            new StepExecutor(session.admin(), session.observer(), Waiter.standard(), LOG::info);
        for (Step.Meet m : meets) {
          try {
            executor.run(m);
          } catch (EngineException e) {
            LOG.warn("{} {} failed: {}", prefix, m.describe(), e.getMessage());
          }
        }
        String what =
            "re-introduced "
                + meets.stream().map(m -> m.other().toString()).distinct().count()
                + " node(s) at their new pod addresses (CLUSTER MEET)";
        LOG.info("{} {}", prefix, what);
        events.normal(rc, "NodesReintroduced", what);
        recordOperation("ReintroducingNodes", what, meets.size(), meets.size());
        writeStatus();
        return Optional.of(config.requeue());
      }
      DesiredTopology desired = DesiredTopology.of(settings.shards(), settings.replicasPerShard());
      startOperation(operationType(view));
      writeStatus();
      long[] moved = new long[2];
      ConvergenceStep step =
          new ConvergenceStep(
              session.admin(),
              session.observer(),
              new Waiter(Duration.ofSeconds(60), Duration.ofMillis(50)),
              new ConvergenceStep.Options(
                  config.maxSlotsPerStep(), SlotMigrator.Options.defaults(), false),
              metrics.listener(moved),
              m -> LOG.info("{} {}", prefix, m));
      StepResult result = step.step(desired, provider);
      if (result instanceof StepResult.Blocked b
          && b.reason() == io.slotwise.engine.failure.Reason.REPAIR_NEEDED) {
        GhostRepair repair = forgetGhosts(session, pods);
        if (repair.repaired()) {
          return Optional.of(config.requeue());
        }
        if (repair.why() != null) {
          result = new StepResult.Blocked(b.reason(), b.message() + "; " + repair.why());
        }
      }
      if (result instanceof StepResult.Blocked b
          && (b.reason() == io.slotwise.engine.failure.Reason.REPAIR_NEEDED
              || b.reason() == io.slotwise.engine.failure.Reason.UNSAFE)) {
        Optional<Duration> redis = awaitRedis(view);
        if (redis.isPresent()) {
          return redis;
        }
      }
      if (result instanceof StepResult.Progressing p) {
        Operation op = status.getOperation();
        op.setSlotsMoved(op.getSlotsMoved() + moved[0]);
        op.setKeysMoved(op.getKeysMoved() + moved[1]);
        recordOperation(phase(p.phase()), p.what(), p.done(), p.total());
        metrics.operationStep(op.getType(), phase(p.phase()));
        if (p.phase() != StepResult.Phase.SETTLING) {
          events.normal(rc, phase(p.phase()), p.what());
        }
        setCondition(RedisClusterStatus.PROGRESSING, true, op.getType(), p.what());
        setCondition(
            RedisClusterStatus.READY, false, readyReasonWhileProgressing(op.getType()), p.what());
        setCondition(RedisClusterStatus.DEGRADED, false, StatusReason.AS_EXPECTED.code(), "");
        fillTopology(observe(session, provider.pods()));
        status.setSummary(op.getType());
        writeStatus();
        return Optional.of(Duration.ofMillis(200));
      }
      if (result instanceof StepResult.Blocked b) {
        String reason = b.reason().code();
        if (!b.message().equals(conditionMessage(RedisClusterStatus.DEGRADED))) {
          events.warning(rc, reason, b.message());
          LOG.warn("{} blocked ({}): {}", prefix, reason, b.message());
        }
        setCondition(RedisClusterStatus.DEGRADED, true, reason, b.message());
        setCondition(RedisClusterStatus.READY, false, reason, b.message());
        setCondition(RedisClusterStatus.PROGRESSING, false, reason, b.message());
        fillTopology(view);
        status.setSummary("Blocked: " + reason);
        writeStatus();
        return Optional.of(Duration.ofSeconds(5));
      }
      return Optional.empty();
    }

    /**
     * A primary that went down with a replica that answers is promoted by Redis itself within a few
     * node timeouts, and a node that is gone is flagged failed by every member within a few more:
     * that is Progressing, not Degraded, for as long as Redis normally takes.
     */
    Optional<Duration> awaitRedis(ClusterView view) {
      Optional<String> what =
          ClusterHealing.awaitedFailover(view)
              .map(p -> "primary " + p + " is down; waiting for Redis to promote its replica")
              .or(
                  () ->
                      ClusterHealing.fadingNode(view)
                          .map(
                              n ->
                                  "node "
                                      + n
                                      + " is gone; waiting for every node to flag it failed"
                                      + " before it is forgotten"));
      if (what.isEmpty()) {
        return Optional.empty();
      }
      var since = Conditions.get(previous.getConditions(), RedisClusterStatus.PROGRESSING);
      boolean waiting =
          since != null && StatusReason.AWAITING_FAILOVER.code().equals(since.getReason());
      if (waiting
          && Instant.parse(since.getLastTransitionTime())
              .plus(FAILOVER_GRACE)
              .isBefore(Instant.now())) {
        return Optional.empty(); // longer than Redis takes: the Blocked path says what is wrong
      }
      setCondition(
          RedisClusterStatus.PROGRESSING, true, StatusReason.AWAITING_FAILOVER.code(), what.get());
      setCondition(
          RedisClusterStatus.READY, false, StatusReason.AWAITING_FAILOVER.code(), what.get());
      fillTopology(view);
      status.setSummary(StatusReason.AWAITING_FAILOVER.code());
      writeStatus();
      return Optional.of(config.requeue());
    }

    /**
     * Ghosts of pods that came back empty are forgotten once every member marks them failed; the
     * repair leaves pods back empty out (they are no members) and forgets nothing that holds the
     * only copy of slots (a primary without replica): then it says why, for the Blocked condition.
     */
    GhostRepair forgetGhosts(ClusterConnections.Session session, List<Pod> pods) {
      List<NodeAddress> addresses = pods.stream().map(provider::address).toList();
      ClusterView view = session.observer().observeOnly(addresses);
      if (!view.unreachable().isEmpty() || ClusterHealing.unexplainedNodes(view, addresses)) {
        return GhostRepair.NONE;
      }
      var ghosts = ClusterHealing.ghosts(view);
      if (ghosts.isEmpty()) {
        return GhostRepair.NONE;
      }
      startOperation(Operation.REPAIRING);
      recordOperation(
          "ForgettingNodes",
          "forgetting " + ghosts.size() + " node(s) whose pods are gone",
          0,
          ghosts.size());
      writeStatus();
      FixReport report =
          new ClusterFixer(
                  session.admin(),
                  session.observer(),
                  Waiter.standard(),
                  m -> LOG.info("{} {}", prefix, m))
              .fix(addresses);
      List<String> done = report.repaired();
      if (done.isEmpty()) {
        String why =
            report.outcomes().stream()
                .filter(o -> o.status() != FixReport.Status.REPAIRED)
                .map(FixReport.Outcome::toString)
                .findFirst()
                .orElse("no repair applies yet");
        recordOperation("ForgettingNodes", why, 0, ghosts.size());
        return new GhostRepair(false, why);
      }
      String what = "repaired the cluster: " + String.join("; ", done);
      events.normal(rc, "NodesForgotten", what);
      recordOperation("ForgettingNodes", what, ghosts.size(), ghosts.size());
      writeStatus();
      return new GhostRepair(true, null);
    }

    String operationType(ClusterView view) {
      long owners = view.reachable().stream().filter(r -> !r.self().slots().isEmpty()).count();
      if (owners == 0) {
        return Operation.FORMING;
      }
      if (owners < settings.shards()
          || pods().size() > owners * (1 + settings.replicasPerShard())
              && statefulSetCount() > settings.shards()) {
        return owners < settings.shards() ? Operation.SCALING_OUT : Operation.SCALING_IN;
      }
      if (owners > settings.shards()) {
        return Operation.SCALING_IN;
      }
      long replicas = view.reachable().stream().filter(r -> r.self().replica()).count();
      long wanted = (long) settings.shards() * settings.replicasPerShard();
      if (replicas < wanted) {
        return Operation.ADDING_REPLICAS;
      }
      if (replicas > wanted
          || view.reachable().size() > settings.shards() * settings.podsPerShard()) {
        return Operation.REMOVING_REPLICAS;
      }
      return Operation.REPAIRING;
    }

    // ---- roll --------------------------------------------------------------------------------

    Optional<Duration> roll(ClusterConnections.Session session, List<Pod> pods) {
      String revision = model.revision();
      status.setDesiredRevision(revision);
      if (pods.stream().allMatch(p -> revision.equals(Pods.revision(p)))) {
        status.setCurrentRevision(revision);
        return Optional.empty();
      }
      ClusterView view = observe(session, pods);
      Map<NodeAddress, NodeReport> byAddress = new HashMap<>();
      view.reachable().forEach(r -> byAddress.put(r.address(), r));
      Instant now = Instant.now();
      List<RollPlanner.RollPod> rollPods = new ArrayList<>();
      for (Pod p : pods) {
        NodeReport r = p.getStatus().getPodIP() == null ? null : byAddress.get(provider.address(p));
        rollPods.add(
            new RollPlanner.RollPod(
                p.getMetadata().getName(),
                Pods.shard(p),
                Pods.ordinal(p),
                !revision.equals(Pods.revision(p)),
                Pods.ready(p),
                r != null && r.self().primary(),
                r == null ? -1 : r.replicationOffset(),
                Pods.ready(p) ? Duration.ZERO : Pods.age(p, now),
                r != null));
      }
      // The convergence step checked its own view; this one is newer, and a restart or failover
      // is decided from it: it must show the same settled cluster.
      List<String> unsettled = ClusterChecker.check(view).stream().map(Problem::message).toList();
      RollPlanner.Action action =
          RollPlanner.next(rollPods, unsettled, settings.persistent(), config.podReadyTimeout());
      startOperation(Operation.ROLLING);
      long outdated = rollPods.stream().filter(RollPlanner.RollPod::outdated).count();
      if (action instanceof RollPlanner.Action.Done) {
        return Optional.empty();
      }
      if (action instanceof RollPlanner.Action.Unsafe u) {
        if (!u.message().equals(conditionMessage(RedisClusterStatus.DEGRADED))) {
          events.warning(rc, StatusReason.ROLL_UNSAFE.code(), u.message());
        }
        setCondition(
            RedisClusterStatus.DEGRADED, true, StatusReason.ROLL_UNSAFE.code(), u.message());
        writeStatus();
        return Optional.of(config.resync());
      }
      String what;
      if (action instanceof RollPlanner.Action.DeleteReplica d) {
        what = "restarting replica pod " + d.pod() + " on the new revision";
        recordOperation("RestartingReplica", what, rollPods.size() - outdated, rollPods.size());
        writeStatus();
        if (!settings.persistent()) {
          leaveBeforeRestart(session, pods, view, d.pod());
        }
        deletePod(d.pod());
      } else if (action instanceof RollPlanner.Action.DeletePrimary d) {
        what =
            "restarting primary pod "
                + d.pod()
                + " in place (no replica; its data is on its volume)";
        recordOperation("RestartingPrimary", what, rollPods.size() - outdated, rollPods.size());
        writeStatus();
        deletePod(d.pod());
      } else if (action instanceof RollPlanner.Action.Failover f) {
        String blocker = takeOverBlocker(session, pods, f);
        if (blocker != null) {
          what = "waiting for replica " + f.replica() + " to be ready to take over: " + blocker;
          recordOperation("WaitingForPod", what, rollPods.size() - outdated, rollPods.size());
        } else {
          what =
              "failing over from " + f.primary() + " to its most caught-up replica " + f.replica();
          recordOperation("FailingOver", what, rollPods.size() - outdated, rollPods.size());
          writeStatus();
          failover(session, pods, f);
          metrics.failover();
        }
      } else {
        what = "waiting for pod " + describeWait(action);
        recordOperation("WaitingForPod", what, rollPods.size() - outdated, rollPods.size());
      }
      events.normal(rc, "Rolling", what);
      metrics.operationStep(Operation.ROLLING, status.getOperation().getPhase());
      setCondition(RedisClusterStatus.PROGRESSING, true, StatusReason.ROLLING.code(), what);
      setCondition(
          RedisClusterStatus.READY,
          true,
          StatusReason.ROLLING.code(),
          "serving while rolling: " + what);
      status.setSummary("Rolling");
      fillTopology(view);
      writeStatus();
      return Optional.of(config.requeue());
    }

    /**
     * Without a volume a restarted pod comes back as a new, empty node; its old identity would stay
     * behind as a ghost until every node flags it failed. So the replica leaves the cluster first:
     * every other node forgets it (it owns no slots, its primary holds its data) and it is reset;
     * the new pod then joins as a replica of its shard's primary.
     */
    void leaveBeforeRestart(
        ClusterConnections.Session session, List<Pod> pods, ClusterView view, String podName) {
      Pod pod = named(pods, podName).orElse(null);
      if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
        return;
      }
      NodeAddress address = provider.address(pod);
      Optional<NodeReport> node = view.report(address).filter(NodeReport::reachable);
      Optional<NodeReport> seed =
          view.slotOwners().stream().filter(r -> !r.address().equals(address)).findFirst();
      if (node.isEmpty() || seed.isEmpty() || !node.get().self().replica()) {
        return;
      }
      new NodeMembership(
              session.admin(),
              session.observer(),
              Waiter.standard(),
              m -> LOG.info("{} {}", prefix, m))
          .remove(seed.get().address(), node.get().id());
    }

    Optional<Pod> named(List<Pod> pods, String name) {
      return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst();
    }

    /** Why the failover's replica should not take over yet, asked of it now; null when it may. */
    String takeOverBlocker(
        ClusterConnections.Session session, List<Pod> pods, RollPlanner.Action.Failover f) {
      Pod replica = named(pods, f.replica()).orElseThrow();
      return ClusterHealing.takeOverBlocker(session.observer().report(provider.address(replica)));
    }

    void failover(
        ClusterConnections.Session session, List<Pod> pods, RollPlanner.Action.Failover f) {
      Pod replica = named(pods, f.replica()).orElseThrow();
      NodeAddress address = provider.address(replica);
      session.admin().node(address).failover(FailoverMode.DEFAULT);
      new Waiter(Duration.ofSeconds(30), Duration.ofMillis(100))
          .await(
              "for " + f.replica() + " to become primary",
              () ->
                  session.observer().report(address).self().primary()
                      ? null
                      : "it is still a replica");
    }

    void deletePod(String name) {
      client.pods().inNamespace(settings.namespace()).withName(name).delete();
    }

    // ---- status ------------------------------------------------------------------------------

    Duration healthy(ClusterView view) {
      fillTopology(view);
      String revision = model.revision();
      status.setDesiredRevision(revision);
      status.setCurrentRevision(revision);
      boolean wasBusy = previous.getOperation() != null;
      if (wasBusy) {
        events.normal(rc, "OperationFinished", previous.getOperation().getType() + " finished");
      }
      status.setOperation(null);
      String message =
          settings.shards()
              + " shards with "
              + settings.replicasPerShard()
              + " replica(s) each, "
              + status.getSlotsAssigned()
              + " slots served";
      setCondition(RedisClusterStatus.READY, true, StatusReason.CLUSTER_HEALTHY.code(), message);
      setCondition(RedisClusterStatus.PROGRESSING, false, StatusReason.IDLE.code(), "");
      setCondition(RedisClusterStatus.DEGRADED, false, StatusReason.AS_EXPECTED.code(), "");
      status.setSummary("Healthy");
      writeStatus();
      return config.resync();
    }

    void fillTopology(ClusterView view) {
      Map<NodeAddress, Pod> podByAddress = new HashMap<>();
      for (Pod p : provider.pods()) {
        if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
          podByAddress.put(provider.address(p), p);
        }
      }
      Map<Integer, List<NodeStatus>> byShard = new TreeMap<>();
      int slots = 0;
      for (NodeReport r : view.reachable()) {
        Pod pod = podByAddress.get(r.address());
        int shard = pod == null ? -1 : Pods.shard(pod);
        NodeStatus n = new NodeStatus();
        n.setPod(pod == null ? null : pod.getMetadata().getName());
        n.setNodeId(r.id());
        n.setAddress(r.address().toString());
        n.setRole(r.self().primary() ? NodeStatus.PRIMARY : NodeStatus.REPLICA);
        n.setSlots(r.self().slots().size());
        n.setInSync(r.self().primary() || r.replicationLinkUp());
        slots += r.self().primary() ? r.self().slots().size() : 0;
        byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(n);
      }
      List<ShardStatus> shards = new ArrayList<>();
      byShard.forEach((i, nodes) -> shards.add(new ShardStatus(i, nodes)));
      status.setShards(shards);
      status.setSlotsAssigned(Math.min(slots, HashSlots.COUNT));
      status.setReadyNodes(view.reachable().size());
    }

    void startOperation(String type) {
      Operation op = status.getOperation();
      if (op != null && type.equals(op.getType())) {
        return;
      }
      Operation next = new Operation();
      next.setType(type);
      next.setPhase("Starting");
      next.setStartedAt(Instant.now().toString());
      status.setOperation(next);
      events.normal(rc, "OperationStarted", type + " started");
    }

    void recordOperation(String phase, String message, long done, long total) {
      Operation op = status.getOperation();
      op.setPhase(phase);
      op.setMessage(message);
      op.setDone(done);
      op.setTotal(total);
    }

    void setCondition(String type, boolean value, String reason, String message) {
      status.setConditions(
          Conditions.set(
              status.getConditions(), type, value, reason, message, generation, Instant.now()));
    }

    String conditionMessage(String type) {
      var c = Conditions.get(previous.getConditions(), type);
      return c == null ? null : c.getMessage();
    }

    void writeStatus() {
      status.setObservedGeneration(generation);
      RedisCluster copy = new RedisCluster();
      copy.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName(rc.getMetadata().getName())
              .withNamespace(rc.getMetadata().getNamespace())
              .build());
      copy.setStatus(status);
      try {
        client.resource(copy).updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        throw e;
      }
    }

    ClusterView observe(ClusterConnections.Session session, List<Pod> pods) {
      return session
          .observer()
          .observeOnly(
              pods.stream()
                  .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
                  .map(provider::address)
                  .toList());
    }

    List<Pod> pods() {
      return provider.pods();
    }

    int statefulSetCount() {
      return client
          .apps()
          .statefulSets()
          .inNamespace(settings.namespace())
          .withLabels(Labels.cluster(settings.name()))
          .list()
          .getItems()
          .size();
    }

    <T extends HasMetadata> T create(T object) {
      return client.resource(object).create();
    }

    <T extends HasMetadata> void createOrUpdate(T object) {
      T current = client.resource(object).get();
      if (current == null) {
        client.resource(object).create();
        return;
      }
      object.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      if (object instanceof io.fabric8.kubernetes.api.model.Service svc) {
        var cur = (io.fabric8.kubernetes.api.model.Service) current;
        svc.getSpec().setClusterIP(cur.getSpec().getClusterIP());
        svc.getSpec().setClusterIPs(cur.getSpec().getClusterIPs());
        if (svc.getSpec().equals(cur.getSpec()) && sameMeta(object, current)) {
          return;
        }
      } else if (object instanceof io.fabric8.kubernetes.api.model.ConfigMap cm) {
        if (cm.getData().equals(((io.fabric8.kubernetes.api.model.ConfigMap) current).getData())
            && sameMeta(object, current)) {
          return;
        }
      } else if (object
          instanceof io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget pdb) {
        if (pdb.getSpec()
                .equals(
                    ((io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget) current)
                        .getSpec())
            && sameMeta(object, current)) {
          return;
        }
      }
      client.resource(object).update();
    }
  }

  /**
   * What forgetting ghosts came to: something repaired (reconcile again), or why nothing could be.
   */
  private record GhostRepair(boolean repaired, String why) {
    static final GhostRepair NONE = new GhostRepair(false, null);
  }

  private static boolean sameMeta(HasMetadata a, HasMetadata b) {
    return java.util.Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
        && java.util.Objects.equals(
            a.getMetadata().getOwnerReferences(), b.getMetadata().getOwnerReferences());
  }

  private static String phase(StepResult.Phase p) {
    return java.util.Arrays.stream(p.name().toLowerCase(java.util.Locale.ROOT).split("_"))
        .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
        .collect(Collectors.joining());
  }

  private static String readyReasonWhileProgressing(String type) {
    return Operation.FORMING.equals(type) ? StatusReason.FORMING.code() : type;
  }

  private static String describeWait(RollPlanner.Action a) {
    if (a instanceof RollPlanner.Action.Wait w) {
      return w.pod();
    }
    if (a instanceof RollPlanner.Action.Halted h) {
      return h.pod();
    }
    if (a instanceof RollPlanner.Action.Unobserved u) {
      return u.pod() + " (its Redis did not answer; nothing is restarted until it does)";
    }
    if (a instanceof RollPlanner.Action.Unsettled u) {
      return "the cluster to settle before the next restart: " + u.problem();
    }
    return "";
  }

  private static boolean sameValue(String now, String wanted) {
    if (now == null) {
      return false;
    }
    String a = now.trim();
    String b = wanted.trim().replace("\"", "");
    if (a.equalsIgnoreCase(b)) {
      return true;
    }
    try {
      return parseBytes(a) == parseBytes(b);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Redis memory units: 1k = 1000, 1kb = 1024, and so on. */
  static long parseBytes(String v) {
    String s = v.toLowerCase(java.util.Locale.ROOT);
    long mult = 1;
    String[][] units = {
      {"kb", "1024"},
      {"mb", "1048576"},
      {"gb", "1073741824"},
      {"k", "1000"},
      {"m", "1000000"},
      {"g", "1000000000"},
      {"b", "1"}
    };
    for (String[] u : units) {
      if (s.endsWith(u[0])) {
        mult = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length());
        break;
      }
    }
    return Long.parseLong(s) * mult;
  }

  private static String key(RedisCluster rc) {
    return rc.getMetadata().getNamespace() + "/" + rc.getMetadata().getName();
  }

  private static String password(Secret s) {
    if (s.getData() != null && s.getData().get(ClusterModel.PASSWORD_KEY) != null) {
      return new String(
          Base64.getDecoder().decode(s.getData().get(ClusterModel.PASSWORD_KEY)),
          StandardCharsets.UTF_8);
    }
    if (s.getStringData() != null) {
      return s.getStringData().get(ClusterModel.PASSWORD_KEY);
    }
    return null;
  }

  static OwnerReference ownerReference(RedisCluster rc) {
    return new OwnerReferenceBuilder()
        .withApiVersion(rc.getApiVersion())
        .withKind(rc.getKind())
        .withName(rc.getMetadata().getName())
        .withUid(rc.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static RedisClusterStatus copy(RedisClusterStatus s) {
    RedisClusterStatus c = new RedisClusterStatus();
    c.setObservedGeneration(s.getObservedGeneration());
    c.setConditions(
        s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions()));
    c.setShards(s.getShards());
    c.setSlotsAssigned(s.getSlotsAssigned());
    c.setOperation(s.getOperation());
    c.setDesiredRevision(s.getDesiredRevision());
    c.setCurrentRevision(s.getCurrentRevision());
    c.setReadyNodes(s.getReadyNodes());
    c.setSummary(s.getSummary());
    return c;
  }

  public void close() {
    connections.close();
  }
}
