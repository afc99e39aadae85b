package io.slotwise.operator.sim;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slotwise.engine.local.RedisServerBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the parts of a Kubernetes cluster that the operator relies on and the CRUD mock API server
 * lacks: the StatefulSet controller, the kubelet and the garbage collector.
 *
 * <p>One level-triggered pass ({@link #sync()}), run on one thread whenever a watched object
 * changes, a process exits, or every {@value #TICK_MILLIS} ms:
 *
 * <ol>
 *   <li>stop the processes of pods that are gone (before anything starts on their volumes);
 *   <li>garbage-collect: delete objects none of whose owners exists any more (checked by a live
 *       GET, as the real collector does, so a just-created owner is never missed);
 *   <li>StatefulSet controller: pods {@code NAME-0..replicas-1} (Parallel, or OrderedReady), PVCs
 *       {@code <template>-<pod>} created once and kept (unless the retention policy says Delete),
 *       pods above replicas deleted highest first, RollingUpdate rolls one outdated pod at a time
 *       when all are Ready, OnDelete never rolls; status with ready and updated counts;
 *   <li>kubelet: one {@code redis-server} per pod on a fresh loopback address (the pod IP) and the
 *       run's one port, config from the pod's ConfigMap, password from the pod's Secret; Ready only
 *       after {@code PING} answers {@code PONG}; a dead container is restarted on the same IP.
 * </ol>
 *
 * Every process it starts is stopped by {@link #close()}.
 */
public final class PodSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodSimulator.class);
  static final long TICK_MILLIS = 250;
  private static final Duration PROBE_PERIOD = Duration.ofMillis(1000);

  /** Images whose name contains this never pull: their pods stay Pending (ImagePullBackOff). */
  public static final String NEVER_READY_IMAGE = "never-ready";

  public static final String REVISION_LABEL = "controller-revision-hash";
  public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
  public static final String NODE_NAME = "simulated-node";

  /** Directives the simulator owns in every redis.conf; the ConfigMap's values are dropped. */
  private static final Set<String> OWNED =
      Set.of(
          "bind",
          "port",
          "dir",
          "daemonize",
          "logfile",
          "pidfile",
          "include",
          "cluster-enabled",
          "cluster-config-file",
          "cluster-port",
          "cluster-announce-ip",
          "cluster-announce-port",
          "cluster-announce-bus-port",
          "requirepass",
          "masterauth",
          "masteruser",
          "unixsocket",
          "protected-mode",
          "supervised");

  private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger();
  private static final int ADDRESS_BLOCK = 200 + (int) (ProcessHandle.current().pid() % 40);

  private final KubernetesClient client;
  private final Path root;
  private final int port;
  private final String redisServer;
  private final Duration restartDelay;
  private final Map<String, SimulatedPod> pods = new ConcurrentHashMap<>();
  private final Set<String> blockedReadiness = ConcurrentHashMap.newKeySet();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService loop;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final List<Watch> watches = new ArrayList<>();
  private volatile boolean closed;
  private volatile RuntimeException lastFailure;

  private PodSimulator(KubernetesClient client, Path root, int port, Duration restartDelay) {
    this.client = client;
    this.root = root.toAbsolutePath();
    this.port = port;
    this.redisServer = RedisServerBinary.require(null);
    this.restartDelay = restartDelay;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pod-simulator");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the simulator against {@code client}'s API server, keeping pod and volume folders under
   * {@code root}, with redis on a free port of its own (see {@link #redisPort()}).
   */
  public static PodSimulator start(KubernetesClient client, Path root) {
    return start(client, root, Duration.ofMillis(500));
  }

  /** As {@link #start(KubernetesClient, Path)}, restarting crashed containers after a delay. */
  public static PodSimulator start(KubernetesClient client, Path root, Duration restartDelay) {
    PodSimulator sim = new PodSimulator(client, root, freePortPair(), restartDelay);
    try {
      sim.watchAll();
      sim.loop.scheduleWithFixedDelay(sim::runSync, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
      return sim;
    } catch (RuntimeException e) {
      sim.close();
      throw e;
    }
  }

  /** The port every pod's redis listens on (bus: +10000); configure the operator with it. */
  public int redisPort() {
    return port;
  }

  public Path root() {
    return root;
  }

  /** The folder that holds the data of PVC {@code claim} in {@code namespace}. */
  public Path volumeDir(String namespace, String claim) {
    return root.resolve("pvc").resolve(namespace).resolve(claim);
  }

  /** The data folder the pod's redis uses now (its PVC's or its own ephemeral one). */
  public Optional<Path> dataDir(String namespace, String pod) {
    return find(namespace, pod).map(p -> p.dataDir);
  }

  /** The redis log of the pod's current container, for {@code kubectl logs}. */
  public Optional<Path> logFile(String namespace, String pod) {
    return find(namespace, pod).map(p -> p.containerDir.resolve("redis.log"));
  }

  /** Pids of the redis-server processes running now, for tests that check nothing is left. */
  public Set<Long> runningPids() {
    Set<Long> out = new HashSet<>();
    for (SimulatedPod p : pods.values()) {
      if (p.running()) {
        out.add(p.handle.pid());
      }
    }
    return out;
  }

  /** The first failure of a pass since the last call, for tests; passes go on regardless. */
  public Optional<RuntimeException> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /** Test hook: kills the pod's redis as a crash would; the kubelet restarts it on the same IP. */
  public void crash(String namespace, String pod) {
    SimulatedPod p =
        find(namespace, pod)
            .orElseThrow(
                () -> new IllegalArgumentException("no running pod " + namespace + "/" + pod));
    p.crash();
    trigger();
  }

  /**
   * Test hook: kills the pod's redis and keeps it down (CrashLoopBackOff) until {@link
   * #release(String, String)}.
   */
  public void holdDown(String namespace, String pod) {
    held.add(namespace + "/" + pod);
    find(namespace, pod).ifPresent(SimulatedPod::crash);
    trigger();
  }

  public void release(String namespace, String pod) {
    held.remove(namespace + "/" + pod);
    trigger();
  }

  /** Test hook: the pod's readiness probe fails (redis keeps running) until unblocked. */
  public void failReadiness(String namespace, String pod, boolean fail) {
    if (fail) {
      blockedReadiness.add(namespace + "/" + pod);
    } else {
      blockedReadiness.remove(namespace + "/" + pod);
    }
    trigger();
  }

  /** Test hook: deletes every pod of the namespace at once (the StatefulSets recreate them). */
  public void deleteAllPods(String namespace) {
    client.pods().inNamespace(namespace).delete();
    trigger();
  }

  /** Runs a pass soon. */
  public void trigger() {
    if (!closed && pending.compareAndSet(false, true)) {
      try {
        loop.execute(this::runSync);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        pending.set(false);
      }
    }
  }

  private Optional<SimulatedPod> find(String namespace, String pod) {
    return pods.values().stream()
        .filter(p -> p.namespace.equals(namespace) && p.name.equals(pod))
        .findFirst();
  }

  private void watchAll() {
    watches.add(client.apps().statefulSets().inAnyNamespace().watch(new Trigger<>()));
    watches.add(client.pods().inAnyNamespace().watch(new Trigger<>()));
    watches.add(client.configMaps().inAnyNamespace().watch(new Trigger<>()));
    watches.add(client.secrets().inAnyNamespace().watch(new Trigger<>()));
  }

  private final class Trigger<T> implements Watcher<T> {
    @Override
    public void eventReceived(Action action, T resource) {
      trigger();
    }

    @Override
    public void onClose(WatcherException cause) {
      // the periodic pass keeps going without events
    }
  }

  private void runSync() {
    pending.set(false);
    if (closed) {
      return;
    }
    try {
      sync();
    } catch (RuntimeException e) {
      if (!closed) {
        lastFailure = e;
        LOG.debug("simulator pass failed, retrying: {}", e.toString());
      }
    }
  }

  /** One pass of the kubelet, garbage collector and StatefulSet controller. */
  synchronized void sync() {
    List<Pod> allPods = client.pods().inAnyNamespace().list().getItems();
    Set<String> liveUids = new HashSet<>();
    allPods.forEach(p -> liveUids.add(p.getMetadata().getUid()));
    for (SimulatedPod p : List.copyOf(pods.values())) {
      if (!liveUids.contains(p.uid)) {
        stopAndForget(p);
      }
    }
    collectGarbage();
    List<StatefulSet> sets = client.apps().statefulSets().inAnyNamespace().list().getItems();
    for (StatefulSet sts : sets) {
      if (sts.getMetadata().getDeletionTimestamp() == null) {
        controlStatefulSet(sts, allPods);
      }
    }
    for (Pod pod : allPods) {
      if (closed) {
        return;
      }
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        kubelet(pod);
      }
    }
    removeDeletedVolumes();
  }

  // ---------------------------------------------------------------- garbage collector

  private void collectGarbage() {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.pods().inAnyNamespace().list().getItems());
    all.addAll(client.persistentVolumeClaims().inAnyNamespace().list().getItems());
    all.addAll(client.services().inAnyNamespace().list().getItems());
    all.addAll(client.configMaps().inAnyNamespace().list().getItems());
    all.addAll(client.secrets().inAnyNamespace().list().getItems());
    all.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
    all.addAll(client.policy().v1().podDisruptionBudget().inAnyNamespace().list().getItems());
    Map<String, ResourceDefinitionContext> custom = customKinds();
    for (ResourceDefinitionContext ctx : custom.values()) {
      all.addAll(client.genericKubernetesResources(ctx).inAnyNamespace().list().getItems());
    }
    Set<String> uids = new HashSet<>();
    all.forEach(o -> uids.add(o.getMetadata().getUid()));
    for (HasMetadata o : all) {
      List<OwnerReference> owners = o.getMetadata().getOwnerReferences();
      if (owners == null || owners.isEmpty() || o.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      if (owners.stream().anyMatch(r -> uids.contains(r.getUid()))) {
        continue;
      }
      if (owners.stream().allMatch(r -> ownerGone(o.getMetadata().getNamespace(), r, custom))) {
        LOG.debug(
            "garbage-collecting {} {}/{}",
            o.getKind(),
            o.getMetadata().getNamespace(),
            o.getMetadata().getName());
        client.resource(o).withGracePeriod(0).delete();
      }
    }
  }

  /** A live look, so an owner created after the lists were taken is not taken for gone. */
  private boolean ownerGone(
      String namespace, OwnerReference ref, Map<String, ResourceDefinitionContext> custom) {
    Optional<ResourceDefinitionContext> ctx =
        kindContext(ref.getApiVersion(), ref.getKind(), custom);
    if (ctx.isEmpty()) {
      return false; // an owner of an unknown kind cannot be resolved: keep the dependent
    }
    GenericKubernetesResource owner =
        ctx.get().isNamespaceScoped()
            ? client
                .genericKubernetesResources(ctx.get())
                .inNamespace(namespace)
                .withName(ref.getName())
                .get()
            : client.genericKubernetesResources(ctx.get()).withName(ref.getName()).get();
    return owner == null || !Objects.equals(owner.getMetadata().getUid(), ref.getUid());
  }

  private static Optional<ResourceDefinitionContext> kindContext(
      String apiVersion, String kind, Map<String, ResourceDefinitionContext> custom) {
    String plural =
        switch (apiVersion + "/" + kind) {
          case "v1/Pod" -> "pods";
          case "v1/PersistentVolumeClaim" -> "persistentvolumeclaims";
          case "v1/Service" -> "services";
          case "v1/ConfigMap" -> "configmaps";
          case "v1/Secret" -> "secrets";
          case "apps/v1/StatefulSet" -> "statefulsets";
          case "policy/v1/PodDisruptionBudget" -> "poddisruptionbudgets";
          default -> null;
        };
    if (plural != null) {
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
      return Optional.of(
          new ResourceDefinitionContext.Builder()
              .withGroup(group)
              .withVersion(version)
              .withKind(kind)
              .withPlural(plural)
              .withNamespaced(true)
              .build());
    }
    return Optional.ofNullable(custom.get(apiVersion + "/" + kind));
  }

  /** Served versions of every CRD in the store, by {@code group/version/Kind}. */
  private Map<String, ResourceDefinitionContext> customKinds() {
    Map<String, ResourceDefinitionContext> out = new HashMap<>();
    for (CustomResourceDefinition crd :
        client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        String gv = crd.getSpec().getGroup() + "/" + v.getName();
        out.put(
            gv + "/" + crd.getSpec().getNames().getKind(),
            new ResourceDefinitionContext.Builder()
                .withGroup(crd.getSpec().getGroup())
                .withVersion(v.getName())
                .withKind(crd.getSpec().getNames().getKind())
                .withPlural(crd.getSpec().getNames().getPlural())
                .withNamespaced("Namespaced".equals(crd.getSpec().getScope()))
                .build());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- StatefulSet controller

  private void controlStatefulSet(StatefulSet sts, List<Pod> allPods) {
    String ns = sts.getMetadata().getNamespace();
    String name = sts.getMetadata().getName();
    int replicas = Optional.ofNullable(sts.getSpec().getReplicas()).orElse(1);
    String revision = name + "-" + templateHash(sts);
    Map<Integer, Pod> owned = new HashMap<>();
    for (Pod p : allPods) {
      if (ns.equals(p.getMetadata().getNamespace()) && controlledBy(p, sts)) {
        ordinal(name, p.getMetadata().getName()).ifPresent(i -> owned.put(i, p));
      }
    }
    boolean ordered =
        "OrderedReady".equals(sts.getSpec().getPodManagementPolicy())
            || sts.getSpec().getPodManagementPolicy() == null;
    for (int i = 0; i < replicas; i++) {
      if (owned.containsKey(i)) {
        continue;
      }
      if (ordered && !allReady(owned, i)) {
        break;
      }
      ensureClaims(sts, i);
      createPod(sts, i, revision);
    }
    List<Integer> condemned =
        owned.keySet().stream()
            .filter(i -> i >= replicas)
            .sorted(Comparator.reverseOrder())
            .toList();
    for (int i : condemned) {
      client.pods().inNamespace(ns).withName(owned.get(i).getMetadata().getName()).delete();
      if (retention(sts, "whenScaled")) {
        deleteClaims(sts, i);
      }
    }
    String strategy =
        sts.getSpec().getUpdateStrategy() == null
                || sts.getSpec().getUpdateStrategy().getType() == null
            ? "RollingUpdate"
            : sts.getSpec().getUpdateStrategy().getType();
    if ("RollingUpdate".equals(strategy) && condemned.isEmpty() && allReady(owned, replicas)) {
      owned.entrySet().stream()
          .filter(e -> e.getKey() < replicas)
          .filter(e -> !revision.equals(labels(e.getValue()).get(REVISION_LABEL)))
          .max(Map.Entry.comparingByKey())
          .ifPresent(
              e ->
                  client
                      .pods()
                      .inNamespace(ns)
                      .withName(e.getValue().getMetadata().getName())
                      .delete());
    }
    updateStatefulSetStatus(sts, owned, replicas, revision);
  }

  private static boolean allReady(Map<Integer, Pod> owned, int below) {
    for (int i = 0; i < below; i++) {
      Pod p = owned.get(i);
      if (p == null || !isReady(p)) {
        return false;
      }
    }
    return true;
  }

  static boolean isReady(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean controlledBy(HasMetadata o, HasMetadata owner) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    return refs != null
        && refs.stream().anyMatch(r -> Objects.equals(r.getUid(), owner.getMetadata().getUid()));
  }

  private static Optional<Integer> ordinal(String setName, String podName) {
    if (!podName.startsWith(setName + "-")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(podName.substring(setName.length() + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Map<String, String> labels(HasMetadata o) {
    return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
  }

  static String templateHash(StatefulSet sts) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  Serialization.asJson(sts.getSpec().getTemplate())
                      .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean retention(StatefulSet sts, String when) {
    var policy = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
    if (policy == null) {
      return false;
    }
    String value = "whenScaled".equals(when) ? policy.getWhenScaled() : policy.getWhenDeleted();
    return "Delete".equals(value);
  }

  private static String claimName(StatefulSet sts, PersistentVolumeClaim template, int ordinal) {
    return template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
  }

  private List<PersistentVolumeClaim> claimTemplates(StatefulSet sts) {
    return sts.getSpec().getVolumeClaimTemplates() == null
        ? List.of()
        : sts.getSpec().getVolumeClaimTemplates();
  }

  private void ensureClaims(StatefulSet sts, int ordinal) {
    String ns = sts.getMetadata().getNamespace();
    for (PersistentVolumeClaim template : claimTemplates(sts)) {
      String claim = claimName(sts, template, ordinal);
      if (client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() != null) {
        continue;
      }
      Map<String, String> claimLabels = new HashMap<>(labels(template));
      if (sts.getSpec().getSelector() != null
          && sts.getSpec().getSelector().getMatchLabels() != null) {
        claimLabels.putAll(sts.getSpec().getSelector().getMatchLabels());
      }
      PersistentVolumeClaimBuilder b =
          new PersistentVolumeClaimBuilder()
              .withNewMetadata()
              .withName(claim)
              .withNamespace(ns)
              .withLabels(claimLabels)
              .endMetadata()
              .withSpec(Serialization.clone(template.getSpec()));
      if (retention(sts, "whenDeleted")) {
        b.editMetadata().withOwnerReferences(ownerRef(sts, false)).endMetadata();
      }
      PersistentVolumeClaim created =
          client.persistentVolumeClaims().inNamespace(ns).resource(b.build()).create();
      Map<String, Quantity> capacity =
          template.getSpec() != null
                  && template.getSpec().getResources() != null
                  && template.getSpec().getResources().getRequests() != null
              ? template.getSpec().getResources().getRequests()
              : Map.of();
      created.setStatus(
          new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder()
              .withPhase("Bound")
              .withCapacity(capacity)
              .withAccessModes(
                  template.getSpec() == null ? List.of() : template.getSpec().getAccessModes())
              .build());
      client.persistentVolumeClaims().inNamespace(ns).resource(created).updateStatus();
    }
  }

  private void deleteClaims(StatefulSet sts, int ordinal) {
    for (PersistentVolumeClaim template : claimTemplates(sts)) {
      client
          .persistentVolumeClaims()
          .inNamespace(sts.getMetadata().getNamespace())
          .withName(claimName(sts, template, ordinal))
          .delete();
    }
  }

  private static OwnerReference ownerRef(HasMetadata owner, boolean controller) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(controller)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private void createPod(StatefulSet sts, int ordinal, String revision) {
    String ns = sts.getMetadata().getNamespace();
    String podName = sts.getMetadata().getName() + "-" + ordinal;
    var template = sts.getSpec().getTemplate();
    ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> podLabels =
        new HashMap<>(tm.getLabels() == null ? Map.of() : tm.getLabels());
    podLabels.put(REVISION_LABEL, revision);
    podLabels.put(POD_NAME_LABEL, podName);
    podLabels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
    PodSpec spec = Serialization.clone(template.getSpec());
    spec.setHostname(podName);
    spec.setSubdomain(sts.getSpec().getServiceName());
    spec.setNodeName(NODE_NAME);
    List<Volume> volumes =
        new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
    for (PersistentVolumeClaim t : claimTemplates(sts)) {
      volumes.removeIf(v -> v.getName().equals(t.getMetadata().getName()));
      volumes.add(
          new VolumeBuilder()
              .withName(t.getMetadata().getName())
              .withNewPersistentVolumeClaim()
              .withClaimName(claimName(sts, t, ordinal))
              .endPersistentVolumeClaim()
              .build());
    }
    spec.setVolumes(volumes);
    Pod pod = new Pod();
    pod.setMetadata(new ObjectMeta());
    pod.getMetadata().setName(podName);
    pod.getMetadata().setNamespace(ns);
    pod.getMetadata().setLabels(podLabels);
    pod.getMetadata()
        .setAnnotations(tm.getAnnotations() == null ? null : new HashMap<>(tm.getAnnotations()));
    pod.getMetadata().setOwnerReferences(List.of(ownerRef(sts, true)));
    pod.setSpec(spec);
    try {
      client.pods().inNamespace(ns).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private void updateStatefulSetStatus(
      StatefulSet sts, Map<Integer, Pod> owned, int replicas, String revision) {
    int ready = 0;
    int updated = 0;
    for (Pod p : owned.values()) {
      if (isReady(p)) {
        ready++;
      }
      if (revision.equals(labels(p).get(REVISION_LABEL))) {
        updated++;
      }
    }
    StatefulSetStatus old = sts.getStatus();
    String current =
        updated == owned.size() || old == null || old.getCurrentRevision() == null
            ? revision
            : old.getCurrentRevision();
    StatefulSetStatus status =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(sts.getMetadata().getGeneration())
            .withReplicas(owned.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withCurrentReplicas(current.equals(revision) ? updated : owned.size() - updated)
            .withUpdatedReplicas(updated)
            .withCurrentRevision(current)
            .withUpdateRevision(revision)
            .withCollisionCount(0)
            .build();
    if (!sameJson(old, status)) {
      sts.setStatus(status);
      try {
        client
            .apps()
            .statefulSets()
            .inNamespace(sts.getMetadata().getNamespace())
            .resource(sts)
            .updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 && e.getCode() != 404) {
          throw e;
        }
        trigger();
      }
    }
  }

  // ---------------------------------------------------------------- kubelet

  private void kubelet(Pod pod) {
    String uid = pod.getMetadata().getUid();
    SimulatedPod sp = pods.get(uid);
    if (sp == null) {
      sp = admit(pod);
      pods.put(uid, sp);
    }
    if (sp.host == null) {
      tryStart(pod, sp);
    } else {
      supervise(pod, sp);
    }
    publishStatus(pod, sp);
  }

  private SimulatedPod admit(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Path containerDir =
        root.resolve("pods")
            .resolve(ns)
            .resolve(name + "-" + pod.getMetadata().getUid().substring(0, 8));
    Optional<String> claim =
        volumes(pod).stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .map(v -> v.getPersistentVolumeClaim().getClaimName())
            .findFirst();
    Path dataDir = claim.map(c -> volumeDir(ns, c)).orElse(containerDir.resolve("data"));
    return new SimulatedPod(
        ns, name, pod.getMetadata().getUid(), containerDir, dataDir, claim.isEmpty());
  }

  private static List<Volume> volumes(Pod pod) {
    return pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
  }

  private static Container redisContainer(Pod pod) {
    List<Container> cs = pod.getSpec().getContainers();
    return cs.stream().filter(c -> "redis".equals(c.getName())).findFirst().orElse(cs.get(0));
  }

  /** Pulls the image, resolves config and password, starts the container: or says why not. */
  private void tryStart(Pod pod, SimulatedPod sp) {
    Optional<Container> unpullable =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getImage() != null && c.getImage().contains(NEVER_READY_IMAGE))
            .findFirst();
    if (unpullable.isPresent()) {
      sp.waitingReason = "ImagePullBackOff";
      sp.waitingMessage = "Back-off pulling image \"" + unpullable.get().getImage() + "\"";
      return;
    }
    String ns = sp.namespace;
    List<String> userConfig;
    try {
      userConfig = configMapConfig(pod);
      sp.password = password(pod).orElse(null);
    } catch (NotYet e) {
      sp.waitingReason = e.reason;
      sp.waitingMessage = e.getMessage();
      return;
    }
    if (claimInUse(sp)) {
      sp.waitingReason = "ContainerCreating";
      sp.waitingMessage = "volume still attached to a stopping pod";
      return;
    }
    sp.host = nextAddress();
    sp.port = port;
    sp.waitingReason = null;
    sp.waitingMessage = null;
    startContainer(sp, userConfig);
    LOG.debug("started {}/{} on {}:{}", ns, sp.name, sp.host, port);
  }

  private boolean claimInUse(SimulatedPod sp) {
    return pods.values().stream()
        .anyMatch(o -> o != sp && o.dataDir.equals(sp.dataDir) && o.running());
  }

  private void startContainer(SimulatedPod sp, List<String> userConfig) {
    List<String> conf = new ArrayList<>();
    conf.add("save \"\"");
    conf.add("appendonly no");
    conf.add("cluster-node-timeout 5000");
    conf.add("repl-diskless-sync yes");
    conf.add("repl-diskless-sync-delay 0");
    for (String line : userConfig) {
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#") || t.contains("$(") || t.contains("${")) {
        continue;
      }
      String directive = t.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
      if (!OWNED.contains(directive)) {
        conf.add(t);
      }
    }
    conf.add("bind " + sp.host);
    conf.add("port " + sp.port);
    conf.add("cluster-enabled yes");
    conf.add("cluster-config-file nodes.conf");
    conf.add("cluster-port " + (sp.port + 10000));
    conf.add("cluster-announce-ip " + sp.host);
    conf.add("dir " + sp.dataDir);
    conf.add("logfile " + sp.containerDir.resolve("redis.log"));
    conf.add("daemonize no");
    if (sp.password != null) {
      String quoted =
          "\"" + new String(sp.password).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      conf.add("protected-mode yes");
      conf.add("requirepass " + quoted);
      conf.add("masterauth " + quoted);
    } else {
      conf.add("protected-mode no");
    }
    try {
      sp.start(redisServer, conf);
      sp.handle.onExit().thenRun(this::trigger);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis for pod " + sp.key(), e);
    }
  }

  private void supervise(Pod pod, SimulatedPod sp) {
    if (!sp.running()) {
      if (sp.ready || sp.diedAt == null) {
        sp.ready = false;
        sp.readyChangedAt = Instant.now().toString();
        sp.diedAt = Instant.now();
        LOG.debug("container of {} exited: {}", sp.key(), sp.lastLogLines());
      }
      if (!held.contains(sp.key()) && Instant.now().isAfter(sp.diedAt.plus(restartDelay))) {
        sp.restarts++;
        try {
          startContainer(sp, configMapConfig(pod));
        } catch (NotYet e) {
          sp.waitingReason = e.reason;
          sp.waitingMessage = e.getMessage();
        }
      }
      return;
    }
    Instant now = Instant.now();
    if (!sp.ready || now.isAfter(sp.lastProbe.plus(PROBE_PERIOD))) {
      sp.lastProbe = now;
      boolean ok =
          !blockedReadiness.contains(sp.key())
              && ReadinessProbe.ready(sp.host, sp.port, sp.password);
      if (ok != sp.ready) {
        sp.ready = ok;
        sp.readyChangedAt = now.toString();
      }
    }
  }

  private void publishStatus(Pod pod, SimulatedPod sp) {
    PodStatus status = statusOf(pod, sp);
    if (sameJson(pod.getStatus(), status)) {
      return;
    }
    pod.setStatus(status);
    try {
      client.pods().inNamespace(sp.namespace).resource(pod).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        throw e;
      }
      trigger();
    }
  }

  private PodStatus statusOf(Pod pod, SimulatedPod sp) {
    boolean started = sp.host != null;
    boolean running = started && sp.running();
    boolean ready = running && sp.ready;
    String since = sp.readyChangedAt;
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", true, sp.createdAt));
    conditions.add(condition("Initialized", true, sp.createdAt));
    conditions.add(condition("ContainersReady", ready, since));
    conditions.add(condition("Ready", ready, since));
    Container redis = redisContainer(pod);
    List<ContainerStatus> containers = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatusBuilder b =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID(c.getImage() == null ? "" : "simulated://" + c.getImage());
      boolean isRedis = c == redis;
      if (!started) {
        b.withReady(false)
            .withStarted(false)
            .withRestartCount(0)
            .withNewState()
            .withNewWaiting()
            .withReason(sp.waitingReason)
            .withMessage(sp.waitingMessage)
            .endWaiting()
            .endState();
      } else if (isRedis && !running) {
        b.withReady(false)
            .withStarted(false)
            .withRestartCount(sp.restarts)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("redis-server exited")
            .endWaiting()
            .endState();
      } else {
        b.withReady(isRedis ? ready : true)
            .withStarted(true)
            .withRestartCount(isRedis ? sp.restarts : 0)
            .withContainerID("simulated://" + sp.uid + "/" + c.getName())
            .withNewState()
            .withNewRunning()
            .withStartedAt(isRedis ? sp.startedAt : sp.createdAt)
            .endRunning()
            .endState();
      }
      containers.add(b.build());
    }
    PodStatusBuilder b =
        new PodStatusBuilder()
            .withPhase(started ? "Running" : "Pending")
            .withConditions(conditions)
            .withContainerStatuses(containers)
            .withHostIP("127.0.0.1")
            .withStartTime(sp.createdAt)
            .withQosClass("BestEffort");
    if (started) {
      b.withPodIP(sp.host).withPodIPs(new PodIPBuilder().withIp(sp.host).build());
    }
    return b.build();
  }

  private static PodCondition condition(String type, boolean status, String since) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(since)
        .build();
  }

  private static boolean sameJson(Object a, Object b) {
    return Objects.equals(
        Serialization.jsonMapper().valueToTree(a), Serialization.jsonMapper().valueToTree(b));
  }

  /** A reason the container cannot start yet, in the kubelet's words. */
  private static final class NotYet extends Exception {
    final String reason;

    NotYet(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  /** The redis.conf lines of the ConfigMap the pod mounts, or none. */
  private List<String> configMapConfig(Pod pod) throws NotYet {
    for (Volume v : volumes(pod)) {
      if (v.getConfigMap() == null) {
        continue;
      }
      String cmName = v.getConfigMap().getName();
      ConfigMap cm =
          client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(cmName).get();
      if (cm == null) {
        if (Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
          continue;
        }
        throw new NotYet("ContainerCreating", "configmap \"" + cmName + "\" not found");
      }
      Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
      String conf =
          Optional.ofNullable(data.get("redis.conf"))
              .orElseGet(
                  () ->
                      data.entrySet().stream()
                          .filter(e -> e.getKey().endsWith(".conf"))
                          .map(Map.Entry::getValue)
                          .findFirst()
                          .orElse(null));
      if (conf != null) {
        return conf.lines().toList();
      }
    }
    return List.of();
  }

  /** The password the pod's redis container gets from a Secret (env or volume), if any. */
  private Optional<char[]> password(Pod pod) throws NotYet {
    String ns = pod.getMetadata().getNamespace();
    Container c = redisContainer(pod);
    List<EnvVar> env = c.getEnv() == null ? List.of() : c.getEnv();
    List<EnvVar> fromSecrets =
        env.stream()
            .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
            .sorted(
                Comparator.comparing(
                    e -> e.getName().toUpperCase(Locale.ROOT).contains("PASS") ? 0 : 1))
            .toList();
    if (!fromSecrets.isEmpty()) {
      var ref = fromSecrets.get(0).getValueFrom().getSecretKeyRef();
      Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      if (s == null) {
        throw new NotYet(
            "CreateContainerConfigError", "secret \"" + ref.getName() + "\" not found");
      }
      return Optional.of(secretValue(s, ref.getKey()));
    }
    for (Volume v : volumes(pod)) {
      if (v.getSecret() == null) {
        continue;
      }
      Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
      if (s == null) {
        throw new NotYet(
            "ContainerCreating", "secret \"" + v.getSecret().getSecretName() + "\" not found");
      }
      return Optional.of(secretValue(s, "password"));
    }
    return Optional.empty();
  }

  private static char[] secretValue(Secret s, String key) throws NotYet {
    if (s.getData() != null && s.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8)
          .toCharArray();
    }
    if (s.getStringData() != null && s.getStringData().containsKey(key)) {
      return s.getStringData().get(key).toCharArray();
    }
    throw new NotYet(
        "CreateContainerConfigError",
        "couldn't find key " + key + " in Secret " + s.getMetadata().getName());
  }

  private static String nextAddress() {
    int n = NEXT_ADDRESS.getAndIncrement();
    return "127." + ADDRESS_BLOCK + "." + (n / 250 % 250) + "." + (n % 250 + 1);
  }

  private void stopAndForget(SimulatedPod p) {
    p.stop();
    p.forgetPassword();
    pods.remove(p.uid);
    deleteTree(p.containerDir);
  }

  /** Volumes whose PVC is gone lose their data, as with reclaim policy Delete. */
  private void removeDeletedVolumes() {
    Path pvcRoot = root.resolve("pvc");
    if (!Files.isDirectory(pvcRoot)) {
      return;
    }
    Set<String> claims = new HashSet<>();
    client
        .persistentVolumeClaims()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(c -> claims.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()));
    try (Stream<Path> namespaces = Files.list(pvcRoot)) {
      for (Path nsDir : namespaces.toList()) {
        try (Stream<Path> dirs = Files.list(nsDir)) {
          for (Path dir : dirs.toList()) {
            String key = nsDir.getFileName() + "/" + dir.getFileName();
            boolean used =
                pods.values().stream().anyMatch(p -> p.dataDir.equals(dir) && p.running());
            if (!claims.contains(key) && !used) {
              deleteTree(dir);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.debug("cannot remove {}: {}", dir, e.toString());
    }
  }

  /** A port P free on every address with P+10000 (the bus port) free too. */
  private static int freePortPair() {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int p = 20000 + random.nextInt(35000);
      if (free(p) && free(p + 10000)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port pair found for the simulated pods");
  }

  private static boolean free(int p) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress((InetAddress) null, p));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the loop and every redis-server it started; safe to call twice. */
  @Override
  public void close() {
    closed = true;
    for (Watch w : watches) {
      try {
        w.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a watch: {}", e.toString());
      }
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      for (SimulatedPod p : List.copyOf(pods.values())) {
        p.stop();
        p.forgetPassword();
      }
      pods.clear();
    }
  }

  /** Runs {@code action} for every simulated pod known now (tests: address lookups). */
  void forEachPod(Consumer<SimulatedPod> action) {
    pods.values().forEach(action);
  }
}
