package io.slotwise.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules of the CRD (schema and CEL), checked again in Java by the reconciler, plus what
 * admission does not check: an API server without the CRD's validation (such as the mock server of
 * the tests) admits anything. Each error is one line that names the field and says what to fix. No
 * message repeats a config value (a directive may hold a secret).
 */
public final class SpecValidator {

  private static final Pattern SIZE = Pattern.compile(Storage.SIZE_PATTERN);
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Auth.SECRET_NAME_PATTERN);
  private static final Pattern DIRECTIVE = Pattern.compile("^[A-Za-z][A-Za-z0-9-]*$");
  private static final int MAX_NAME = 253;

  /** Pod labels the operator sets and selects on; spec.pod.labels may not set them. */
  public static final List<String> OWNED_LABELS =
      List.of(
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/managed-by",
          "app.kubernetes.io/component");

  /** Label and annotation prefix of the operator. */
  public static final String OWNED_LABEL_PREFIX = "slotwise.io/";

  private SpecValidator() {}

  /**
   * The errors of a spec on its own, empty when valid. A null spec is the empty spec (every
   * default) and is valid.
   */
  public static List<String> validate(RedisClusterSpec spec) {
    List<String> errors = new ArrayList<>();
    if (spec == null) {
      return errors;
    }
    if (spec.getShards() < 1) {
      errors.add("spec.shards is " + spec.getShards() + ": set it to 1 or more");
    }
    if (spec.getReplicasPerShard() < 0) {
      errors.add(
          "spec.replicasPerShard is " + spec.getReplicasPerShard() + ": set it to 0 or more");
    }
    checkImage("spec.image", spec.getImage(), false, errors);
    checkConfig(spec.getConfig(), errors);
    checkStorage(spec.getStorage(), errors);
    checkAuth(spec.getAuth(), errors);
    checkPod(spec.getPod(), errors);
    Exporter exporter = spec.getExporter();
    if (exporter != null) {
      checkImage("spec.exporter.image", exporter.getImage(), true, errors);
    }
    return errors;
  }

  /**
   * The errors of a change from {@code old} (the spec the cluster runs with) to {@code spec}: those
   * of {@link #validate} plus the transition rules (no switch between ephemeral and persistent
   * storage, storageClassName and auth.secretName immutable, storage.size never smaller).
   */
  public static List<String> validateUpdate(RedisClusterSpec old, RedisClusterSpec spec) {
    List<String> errors = validate(spec);
    RedisClusterSpec before = old == null ? new RedisClusterSpec() : old;
    RedisClusterSpec after = spec == null ? new RedisClusterSpec() : spec;
    if (before.persistent() != after.persistent()) {
      errors.add(
          "spec.storage switches from "
              + (before.persistent() ? "persistent" : "ephemeral")
              + " to "
              + (after.persistent() ? "persistent" : "ephemeral")
              + ", which is refused: put spec.storage back, or create a new RedisCluster");
    }
    Storage was = before.getStorage();
    Storage now = after.getStorage();
    if (was != null && now != null) {
      if (!Objects.equals(was.getStorageClassName(), now.getStorageClassName())) {
        errors.add(
            "spec.storage.storageClassName cannot change (was "
                + describe(was.getStorageClassName())
                + "): set it back to "
                + describe(was.getStorageClassName()));
      }
      BigDecimal oldSize = bytes(was.getSize());
      BigDecimal newSize = bytes(now.getSize());
      if (oldSize != null && newSize != null && newSize.compareTo(oldSize) < 0) {
        errors.add(
            "spec.storage.size "
                + now.getSize()
                + " is smaller than "
                + was.getSize()
                + ": a volume cannot shrink, set it to "
                + was.getSize()
                + " or more");
      }
    }
    String oldSecret = secretName(before);
    String newSecret = secretName(after);
    if (!Objects.equals(oldSecret, newSecret)) {
      errors.add(
          "spec.auth.secretName cannot change (was "
              + describe(oldSecret)
              + "): set it back to "
              + describe(oldSecret)
              + " and change the password inside that Secret instead");
    }
    return errors;
  }

  /** The size in bytes of a valid quantity, null when {@code size} is null or not a quantity. */
  static BigDecimal bytes(String size) {
    if (size == null || !SIZE.matcher(size).matches()) {
      return null;
    }
    try {
      return Quantity.getAmountInBytes(new Quantity(size));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String secretName(RedisClusterSpec spec) {
    return spec.getAuth() == null ? null : spec.getAuth().getSecretName();
  }

  private static String describe(String value) {
    return value == null ? "unset" : "\"" + value + "\"";
  }

  private static void checkImage(
      String field, String image, boolean nullAllowed, List<String> errors) {
    if (image == null) {
      if (!nullAllowed) {
        errors.add(field + " is not set: name an image such as " + RedisClusterSpec.DEFAULT_IMAGE);
      }
      return;
    }
    if (image.isBlank()) {
      errors.add(field + " is blank: name an image such as " + RedisClusterSpec.DEFAULT_IMAGE);
    } else if (!image.strip().equals(image) || image.chars().anyMatch(Character::isWhitespace)) {
      errors.add(field + " \"" + image + "\" contains spaces: an image reference has none");
    }
  }

  private static void checkConfig(Map<String, String> config, List<String> errors) {
    if (config == null) {
      return;
    }
    TreeSet<String> owned = new TreeSet<>();
    for (Map.Entry<String, String> e : config.entrySet()) {
      String key = e.getKey();
      if (key == null || !DIRECTIVE.matcher(key).matches()) {
        errors.add(
            "spec.config has the key "
                + (key == null ? "null" : "\"" + printable(key) + "\"")
                + ", which is not a redis.conf directive name: use letters, digits and '-'");
        continue;
      }
      if (RedisClusterSpec.isOwnedDirective(key)) {
        owned.add(key);
      }
      String value = e.getValue();
      if (value == null) {
        errors.add("spec.config." + key + " has no value: give one or remove the key");
      } else if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
        errors.add("spec.config." + key + " has a line break in its value: one directive per key");
      }
    }
    for (String key : owned) {
      errors.add("spec.config." + key + " is refused: " + ownedHint(key));
    }
  }

  private static String ownedHint(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    if (k.equals("requirepass") || k.equals("masterauth") || k.equals("masteruser")) {
      return "Slotwise sets the password from spec.auth; remove it from spec.config";
    }
    if (k.equals("port")) {
      return "the Redis port is an operator setting; remove it from spec.config";
    }
    if (k.startsWith("tls-")) {
      return "TLS is not configurable through spec.config; remove it";
    }
    return "Slotwise writes this directive itself; remove it from spec.config";
  }

  private static void checkStorage(Storage storage, List<String> errors) {
    if (storage == null) {
      return;
    }
    String size = storage.getSize();
    if (size == null) {
      if (!storage.isEphemeral()) {
        errors.add(
            "spec.storage.size is not set: give the volume size (e.g. 1Gi), or set"
                + " spec.storage.ephemeral: true");
      }
    } else {
      BigDecimal bytes = bytes(size);
      if (bytes == null) {
        errors.add(
            "spec.storage.size \""
                + printable(size)
                + "\" is not a quantity: write a size such as 512Mi, 1Gi or 10G");
      } else if (bytes.signum() <= 0) {
        errors.add("spec.storage.size is " + size + ": give a size above zero (e.g. 1Gi)");
      }
    }
    String cls = storage.getStorageClassName();
    if (cls != null && !validName(cls)) {
      errors.add(
          "spec.storage.storageClassName \""
              + printable(cls)
              + "\" is not a valid StorageClass name: "
              + NAME_RULE);
    }
  }

  private static final String NAME_RULE =
      "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit,"
          + " at most 253 characters";

  private static boolean validName(String name) {
    return name.length() <= MAX_NAME && DNS_SUBDOMAIN.matcher(name).matches();
  }

  private static void checkAuth(Auth auth, List<String> errors) {
    if (auth == null || auth.getSecretName() == null) {
      return;
    }
    String name = auth.getSecretName();
    if (!validName(name)) {
      errors.add(
          "spec.auth.secretName \""
              + printable(name)
              + "\" is not a valid Secret name: "
              + NAME_RULE);
    }
  }

  private static void checkPod(PodTemplate pod, List<String> errors) {
    if (pod == null || pod.getLabels() == null) {
      return;
    }
    TreeSet<String> owned = new TreeSet<>();
    for (String key : pod.getLabels().keySet()) {
      if (key != null && (OWNED_LABELS.contains(key) || key.startsWith(OWNED_LABEL_PREFIX))) {
        owned.add(key);
      }
    }
    for (String key : owned) {
      errors.add(
          "spec.pod.labels sets " + key + ", a label the operator sets and selects on: remove it");
    }
  }

  /** The text with control characters shown as '?', so that an error stays on one line. */
  private static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
