package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where a node keeps its data. Ephemeral (an emptyDir) when {@code ephemeral} is true; persistent
 * (a PersistentVolumeClaim "data" per pod) otherwise. A spec without storage is ephemeral.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = Storage.RULE_SIZE_REQUIRED,
    message = "storage.size is required unless storage.ephemeral is true (e.g. size: 1Gi)")
@ValidationRule(
    value = Storage.RULE_CLASS_IMMUTABLE,
    message = "storage.storageClassName cannot be changed once set")
@ValidationRule(
    value = Storage.RULE_SIZE_NO_SHRINK,
    message = "storage.size cannot shrink (a volume does not get smaller)")
public class Storage {

  static final String RULE_SIZE_REQUIRED =
      "(has(self.ephemeral) && self.ephemeral) || has(self.size)";
  static final String RULE_CLASS_IMMUTABLE =
      "has(self.storageClassName) == has(oldSelf.storageClassName)"
          + " && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)";
  static final String RULE_SIZE_NO_SHRINK =
      "!has(self.size) || !has(oldSelf.size)"
          + " || !quantity(self.size).isLessThan(quantity(oldSelf.size))";

  /** A Kubernetes quantity without sign or exponent: digits, optional fraction, optional unit. */
  public static final String SIZE_PATTERN =
      "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$";

  @JsonPropertyDescription("Size of each node's volume, a quantity such as 1Gi.")
  @Pattern(SIZE_PATTERN)
  private String size;

  @JsonPropertyDescription("StorageClass of the volumes; the cluster's default class when not set.")
  @Pattern(Auth.SECRET_NAME_PATTERN)
  @Size(max = 253)
  private String storageClassName;

  @JsonPropertyDescription("True for an emptyDir (data lost with the pod) instead of a volume.")
  private boolean ephemeral;

  public Storage() {}

  public Storage(String size) {
    this.size = size;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public boolean isEphemeral() {
    return ephemeral;
  }

  public void setEphemeral(boolean ephemeral) {
    this.ephemeral = ephemeral;
  }

  @Override
  public String toString() {
    return "Storage{size="
        + size
        + ", storageClassName="
        + storageClassName
        + ", ephemeral="
        + ephemeral
        + "}";
  }
}
