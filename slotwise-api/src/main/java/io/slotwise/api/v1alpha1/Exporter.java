package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** A Prometheus redis_exporter sidecar in every Redis pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Exporter {

  public static final String DEFAULT_IMAGE = "oliver006/redis_exporter:v1.62.0";

  @JsonPropertyDescription("Run the exporter sidecar (default false).")
  @Default("false")
  private boolean enabled;

  @JsonPropertyDescription("Image of the exporter.")
  @Default(DEFAULT_IMAGE)
  @Pattern("^\\S+$")
  private String image = DEFAULT_IMAGE;

  public Exporter() {}

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  @Override
  public String toString() {
    return "Exporter{enabled=" + enabled + ", image=" + image + "}";
  }
}
