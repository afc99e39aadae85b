package io.slotwise.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.slotwise.api.v1alpha1.RedisCluster;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events about a RedisCluster: every topology change, every block, every bad input. */
public final class ClusterEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
  private final KubernetesClient client;

  public ClusterEvents(KubernetesClient client) {
    this.client = client;
  }

  public void normal(RedisCluster rc, String reason, String message) {
    emit(rc, "Normal", reason, message);
  }

  public void warning(RedisCluster rc, String reason, String message) {
    emit(rc, "Warning", reason, message);
  }

  private void emit(RedisCluster rc, String type, String reason, String message) {
    String now = Instant.now().toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                rc.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
            .withNamespace(rc.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(rc.getApiVersion())
                    .withKind(rc.getKind())
                    .withName(rc.getMetadata().getName())
                    .withNamespace(rc.getMetadata().getNamespace())
                    .withUid(rc.getMetadata().getUid())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent("slotwise-operator")
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(rc.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot record event {}: {}", reason, e.getMessage());
    }
  }
}
