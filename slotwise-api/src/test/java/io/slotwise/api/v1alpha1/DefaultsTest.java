package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The Java side has the CRD's defaults: a resource with an empty or absent spec gets them. */
class DefaultsTest {

  private static void assertDefaults(RedisClusterSpec spec) {
    assertThat(spec.getShards()).isEqualTo(3);
    assertThat(spec.getReplicasPerShard()).isEqualTo(1);
    assertThat(spec.getImage()).isEqualTo("redis:7.2");
    assertThat(spec.getAuth()).isNotNull();
    assertThat(spec.getAuth().isEnabled()).isTrue();
    assertThat(spec.authEnabled()).isTrue();
    assertThat(spec.getAuth().getSecretName()).isNull();
    assertThat(spec.getScaleDownPolicy()).isEqualTo(ScaleDownPolicy.Keep);
    assertThat(spec.persistent()).isFalse();
    assertThat(spec.exporterEnabled()).isFalse();
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void anEmptySpecGetsTheDefaults() {
    RedisCluster rc =
        Serialization.unmarshal(
            "{\"apiVersion\":\"slotwise.io/v1alpha1\",\"kind\":\"RedisCluster\","
                + "\"metadata\":{\"name\":\"a\"},\"spec\":{}}",
            RedisCluster.class);
    assertDefaults(rc.getSpec());
  }

  @Test
  void anAbsentSpecGetsTheDefaults() {
    RedisCluster rc =
        Serialization.unmarshal(
            "{\"apiVersion\":\"slotwise.io/v1alpha1\",\"kind\":\"RedisCluster\","
                + "\"metadata\":{\"name\":\"a\"}}",
            RedisCluster.class);
    assertDefaults(rc.getSpec());
    assertDefaults(new RedisCluster().getSpec());
  }

  @Test
  void anEmptyAuthIsEnabled() {
    RedisClusterSpec spec =
        Serialization.unmarshal("{\"auth\":{},\"exporter\":{}}", RedisClusterSpec.class);
    assertThat(spec.getAuth().isEnabled()).isTrue();
    assertThat(spec.getExporter().getImage()).isEqualTo("oliver006/redis_exporter:v1.62.0");
    assertThat(spec.exporterEnabled()).isFalse();
  }

  @Test
  void normaliseFillsWhatAClientNulled() {
    RedisClusterSpec spec =
        Serialization.unmarshal(
            "{\"image\":null,\"auth\":null,\"scaleDownPolicy\":null,\"exporter\":{\"image\":null}}",
            RedisClusterSpec.class);
    assertThat(spec.getAuth()).isNull();
    assertThat(spec.authEnabled()).isTrue();
    spec.normalise();
    assertDefaults(spec);
    assertThat(spec.getExporter().getImage()).isEqualTo(Exporter.DEFAULT_IMAGE);
  }

  @Test
  void theSpecRoundTripsWithTheContractFieldNames() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setStorage(new Storage("1Gi"));
    String json = Serialization.asJson(spec);
    assertThat(json)
        .contains(
            "\"shards\":3",
            "\"replicasPerShard\":1",
            "\"image\":\"redis:7.2\"",
            "\"auth\":{\"enabled\":true}",
            "\"scaleDownPolicy\":\"Keep\"",
            "\"storage\":{\"size\":\"1Gi\",\"ephemeral\":false}");
    RedisClusterSpec back = Serialization.unmarshal(json, RedisClusterSpec.class);
    assertThat(back.persistent()).isTrue();
    assertThat(back.getStorage().getSize()).isEqualTo("1Gi");
  }

  @Test
  void thePausedAnnotationIsRead() {
    RedisCluster rc = new RedisCluster();
    rc.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("a").build());
    assertThat(rc.paused()).isFalse();
    rc.getMetadata().setAnnotations(java.util.Map.of(RedisCluster.PAUSED_ANNOTATION, "true"));
    assertThat(rc.paused()).isTrue();
  }

  @Test
  void toStringShowsNoConfigValue() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setConfig(java.util.Map.of("maxmemory", "secret-ish"));
    assertThat(spec.toString()).contains("maxmemory").doesNotContain("secret-ish");
  }
}
