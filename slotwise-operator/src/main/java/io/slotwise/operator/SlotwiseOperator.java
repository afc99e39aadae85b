package io.slotwise.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slotwise.api.v1alpha1.RedisCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator process: the JOSDK operator with the RedisCluster reconciler (server-side apply off,
 * concurrent reconciles), optional leader election through a Lease, and an HTTP endpoint with
 * {@code /healthz}, {@code /readyz} and {@code /metrics} (Prometheus).
 */
public final class SlotwiseOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlotwiseOperator.class);

  /**
   * Leader election settings; null lease name for none. {@code exitOnStopLeading}: JOSDK ends the
   * process when it stops leading, so that two instances never reconcile at once; it also stops
   * leading when this operator is closed, so only an operator that runs in its own process should
   * exit (tests that stop and start operators in one JVM turn it off).
   */
  public record LeaderElection(String leaseName, String leaseNamespace, boolean exitOnStopLeading) {
    public LeaderElection(String leaseName, String leaseNamespace) {
      this(leaseName, leaseNamespace, true);
    }
  }

  private final Operator operator;
  private final RedisClusterReconciler reconciler;
  private final PrometheusMeterRegistry registry;
  private HttpServer http;

  public SlotwiseOperator(
      KubernetesClient client, OperatorConfig config, LeaderElection leaderElection) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    this.reconciler = new RedisClusterReconciler(client, config, metrics);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withCloseClientOnStop(false)
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(30));
              if (leaderElection != null && leaderElection.leaseName() != null) {
                var le =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            leaderElection.leaseName())
                        .withIdentity(identity())
                        .withExitOnStopLeading(leaderElection.exitOnStopLeading());
                if (leaderElection.leaseNamespace() != null) {
                  le.withLeaseNamespace(leaderElection.leaseNamespace());
                }
                o.withLeaderElectionConfiguration(le.build());
              }
            });
    operator.register(
        reconciler,
        o -> {
          if (config.namespaces().isEmpty()) {
            o.watchingAllNamespaces();
          } else {
            o.settingNamespaces(config.namespaces());
          }
        });
  }

  private static String identity() {
    String host = System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "slotwise" : host)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Starts reconciling (after winning the Lease when leader election is on). */
  public SlotwiseOperator start() {
    operator.start();
    LOG.info("operator started for {}", RedisCluster.CRD_NAME);
    return this;
  }

  /** Serves health, readiness and metrics on the port (0 picks a free one); returns the port. */
  public int serveHttp(String host, int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 0);
    http.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "slotwise-http")));
    http.createContext("/healthz", ex -> reply(ex, 200, "ok\n", "text/plain"));
    http.createContext(
        "/readyz",
        ex -> {
          var info = operator.getRuntimeInfo();
          boolean ready = info.isStarted() && info.allEventSourcesAreHealthy();
          reply(ex, ready ? 200 : 503, ready ? "ready\n" : "not ready\n", "text/plain");
        });
    http.createContext(
        "/metrics",
        ex -> reply(ex, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    http.start();
    return http.getAddress().getPort();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void reply(HttpExchange ex, int code, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    try {
      operator.stop();
    } finally {
      reconciler.close();
    }
  }
}
