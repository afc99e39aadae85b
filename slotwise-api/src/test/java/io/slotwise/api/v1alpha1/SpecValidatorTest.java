package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  private static RedisClusterSpec persistent(String size) {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setStorage(new Storage(size));
    return spec;
  }

  private static RedisClusterSpec withConfig(String key, String value) {
    RedisClusterSpec spec = new RedisClusterSpec();
    Map<String, String> config = new LinkedHashMap<>();
    config.put(key, value);
    spec.setConfig(config);
    return spec;
  }

  private static void assertOneError(List<String> errors, String... parts) {
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).contains(parts).doesNotContain("\n");
  }

  @Test
  void theDefaultSpecAndNullAreValid() {
    assertThat(SpecValidator.validate(new RedisClusterSpec())).isEmpty();
    assertThat(SpecValidator.validate(null)).isEmpty();
    assertThat(SpecValidator.validateUpdate(new RedisClusterSpec(), new RedisClusterSpec()))
        .isEmpty();
  }

  @Test
  void aFullValidSpecHasNoError() {
    RedisClusterSpec spec = persistent("10Gi");
    spec.getStorage().setStorageClassName("fast-ssd");
    spec.setShards(6);
    spec.setReplicasPerShard(2);
    spec.setConfig(Map.of("maxmemory", "2gb", "maxmemory-policy", "allkeys-lru"));
    spec.getAuth().setSecretName("redis-password.v1");
    Exporter exporter = new Exporter();
    exporter.setEnabled(true);
    spec.setExporter(exporter);
    PodTemplate pod = new PodTemplate();
    pod.setLabels(Map.of("team", "cache"));
    spec.setPod(pod);
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void shardsBelowOneIsRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setShards(0);
    assertOneError(SpecValidator.validate(spec), "spec.shards is 0", "1 or more");
  }

  @Test
  void negativeReplicasAreRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setReplicasPerShard(-1);
    assertOneError(SpecValidator.validate(spec), "spec.replicasPerShard is -1", "0 or more");
  }

  @Test
  void zeroReplicasAreFine() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setReplicasPerShard(0);
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void blankImageIsRefused(String image) {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setImage(image);
    assertOneError(SpecValidator.validate(spec), "spec.image is blank");
  }

  @Test
  void nullImageIsRefusedUntilNormalised() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setImage(null);
    assertOneError(SpecValidator.validate(spec), "spec.image is not set");
    assertThat(SpecValidator.validate(spec.normalise())).isEmpty();
    assertThat(spec.getImage()).isEqualTo("redis:7.2");
  }

  @Test
  void imageWithSpacesIsRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setImage("redis 7.2");
    assertOneError(SpecValidator.validate(spec), "spec.image", "contains spaces");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "port",
        "cluster-enabled",
        "cluster-config-file",
        "cluster-announce-ip",
        "cluster-announce-port",
        "cluster-announce-bus-port",
        "cluster-announce-hostname",
        "requirepass",
        "masterauth",
        "masteruser",
        "dir",
        "bind",
        "protected-mode",
        "daemonize",
        "include",
        "rename-command",
        "unixsocket",
        "tls-port",
        "tls-cert-file",
        "RequirePass",
        "PORT"
      })
  void ownedDirectivesAreRefused(String key) {
    List<String> errors = SpecValidator.validate(withConfig(key, "x"));
    assertOneError(errors, "spec.config." + key + " is refused", "remove it");
  }

  @Test
  void everyOwnedDirectiveIsRefused() {
    for (String key : RedisClusterSpec.OWNED_DIRECTIVES) {
      assertThat(SpecValidator.validate(withConfig(key, "x"))).as(key).hasSize(1);
    }
  }

  @Test
  void thePasswordDirectivesPointToAuthAndNoValueIsPrinted() {
    List<String> errors = SpecValidator.validate(withConfig("requirepass", "s3cret-value"));
    assertOneError(errors, "spec.auth");
    assertThat(errors.get(0)).doesNotContain("s3cret-value");
  }

  @Test
  void freeDirectivesAreAccepted() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.setConfig(Map.of("maxmemory", "1gb", "appendonly", "yes", "cluster-node-timeout", "5000"));
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void aValueWithALineBreakIsRefusedWithoutPrintingIt() {
    List<String> errors = SpecValidator.validate(withConfig("maxmemory", "1gb\nrequirepass x"));
    assertOneError(errors, "spec.config.maxmemory has a line break");
    assertThat(errors.get(0)).doesNotContain("requirepass x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"max memory", "maxmemory\n", "-x", "a=b", ""})
  void aKeyThatIsNoDirectiveNameIsRefused(String key) {
    assertOneError(SpecValidator.validate(withConfig(key, "1")), "not a redis.conf directive name");
  }

  @Test
  void aNullConfigValueIsRefused() {
    assertOneError(SpecValidator.validate(withConfig("maxmemory", null)), "has no value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1Gi", "512Mi", "10G", "1.5Gi", "1000000", "100k"})
  void quantitiesAreAccepted(String size) {
    assertThat(SpecValidator.validate(persistent(size))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"big", "1 Gi", "1GB", "-1Gi", "1Gi ", "Gi", "1e3"})
  void aSizeThatIsNoQuantityIsRefused(String size) {
    assertOneError(
        SpecValidator.validate(persistent(size)), "spec.storage.size", "is not a quantity");
  }

  @Test
  void aZeroSizeIsRefused() {
    assertOneError(SpecValidator.validate(persistent("0")), "above zero");
  }

  @Test
  void persistentStorageNeedsASizeEphemeralDoesNot() {
    assertOneError(SpecValidator.validate(persistent(null)), "spec.storage.size is not set");
    RedisClusterSpec spec = persistent(null);
    spec.getStorage().setEphemeral(true);
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void aBadStorageClassNameIsRefused() {
    RedisClusterSpec spec = persistent("1Gi");
    spec.getStorage().setStorageClassName("Fast_SSD");
    assertOneError(SpecValidator.validate(spec), "storageClassName", "not a valid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Redis-Auth", "redis_auth", "-auth", "auth-", "a..b", ""})
  void aBadSecretNameIsRefused(String name) {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.getAuth().setSecretName(name);
    assertOneError(SpecValidator.validate(spec), "spec.auth.secretName", "not a valid Secret name");
  }

  @Test
  void aSecretNameLongerThan253IsRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    spec.getAuth().setSecretName("a".repeat(254));
    assertOneError(SpecValidator.validate(spec), "not a valid Secret name");
  }

  @Test
  void aBlankExporterImageIsRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    Exporter exporter = new Exporter();
    exporter.setEnabled(true);
    exporter.setImage(" ");
    spec.setExporter(exporter);
    assertOneError(SpecValidator.validate(spec), "spec.exporter.image is blank");
  }

  @Test
  void podLabelsOfTheOperatorAreRefused() {
    RedisClusterSpec spec = new RedisClusterSpec();
    PodTemplate pod = new PodTemplate();
    pod.setLabels(Map.of("app.kubernetes.io/instance", "x", "slotwise.io/shard", "0", "ok", "y"));
    spec.setPod(pod);
    List<String> errors = SpecValidator.validate(spec);
    assertThat(errors).hasSize(2);
    assertThat(errors).allMatch(e -> e.startsWith("spec.pod.labels sets "));
  }

  @Test
  void manyErrorsAreAllReportedOneLineEach() {
    RedisClusterSpec spec = persistent("lots");
    spec.setShards(0);
    spec.setReplicasPerShard(-2);
    spec.setConfig(Map.of("port", "1", "dir", "/x"));
    assertThat(SpecValidator.validate(spec)).hasSize(5).noneMatch(e -> e.contains("\n"));
  }

  // transitions

  @Test
  void switchingEphemeralToPersistentIsRefused() {
    List<String> errors = SpecValidator.validateUpdate(new RedisClusterSpec(), persistent("1Gi"));
    assertOneError(errors, "from ephemeral to persistent", "new RedisCluster");
  }

  @Test
  void switchingPersistentToEphemeralIsRefusedAlsoByTheFlag() {
    RedisClusterSpec flagged = persistent("1Gi");
    flagged.getStorage().setEphemeral(true);
    assertOneError(
        SpecValidator.validateUpdate(persistent("1Gi"), flagged), "from persistent to ephemeral");
    assertOneError(
        SpecValidator.validateUpdate(persistent("1Gi"), new RedisClusterSpec()),
        "from persistent to ephemeral");
  }

  @Test
  void ephemeralStaysEphemeralWhicheverWayItIsWritten() {
    RedisClusterSpec flagged = new RedisClusterSpec();
    Storage storage = new Storage();
    storage.setEphemeral(true);
    flagged.setStorage(storage);
    assertThat(SpecValidator.validateUpdate(new RedisClusterSpec(), flagged)).isEmpty();
  }

  @Test
  void theSizeMayGrowButNotShrink() {
    assertThat(SpecValidator.validateUpdate(persistent("1Gi"), persistent("2Gi"))).isEmpty();
    assertThat(SpecValidator.validateUpdate(persistent("1Gi"), persistent("1024Mi"))).isEmpty();
    assertOneError(
        SpecValidator.validateUpdate(persistent("1Gi"), persistent("1000Mi")),
        "spec.storage.size 1000Mi is smaller than 1Gi");
    assertOneError(
        SpecValidator.validateUpdate(persistent("1Gi"), persistent("1G")), "cannot shrink");
  }

  @Test
  void theStorageClassCannotChange() {
    RedisClusterSpec old = persistent("1Gi");
    old.getStorage().setStorageClassName("standard");
    RedisClusterSpec changed = persistent("1Gi");
    changed.getStorage().setStorageClassName("fast");
    assertOneError(SpecValidator.validateUpdate(old, changed), "storageClassName cannot change");
    assertOneError(
        SpecValidator.validateUpdate(old, persistent("1Gi")), "storageClassName cannot change");
  }

  @Test
  void theSecretNameCannotChangeNorBeAddedOrRemoved() {
    RedisClusterSpec mine = new RedisClusterSpec();
    mine.getAuth().setSecretName("mine");
    RedisClusterSpec other = new RedisClusterSpec();
    other.getAuth().setSecretName("other");
    assertOneError(SpecValidator.validateUpdate(mine, other), "spec.auth.secretName cannot change");
    assertOneError(
        SpecValidator.validateUpdate(new RedisClusterSpec(), mine), "secretName cannot change");
    RedisClusterSpec noAuth = new RedisClusterSpec();
    noAuth.setAuth(null);
    assertOneError(SpecValidator.validateUpdate(mine, noAuth), "secretName cannot change");
    assertThat(SpecValidator.validateUpdate(mine, mine)).isEmpty();
  }

  @Test
  void otherChangesAreFine() {
    RedisClusterSpec old = persistent("1Gi");
    RedisClusterSpec changed = persistent("1Gi");
    changed.setShards(5);
    changed.setReplicasPerShard(0);
    changed.setImage("valkey/valkey:8.0");
    changed.getAuth().setEnabled(false);
    assertThat(SpecValidator.validateUpdate(old, changed)).isEmpty();
  }
}
