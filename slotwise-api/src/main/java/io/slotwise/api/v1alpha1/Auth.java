package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Password authentication of the nodes. When enabled and {@code secretName} is not set, the
 * operator creates the Secret NAME-auth with a generated password under the key {@value
 * #PASSWORD_KEY}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {

  /** The key of the password in the Secret. */
  public static final String PASSWORD_KEY = "password";

  /** A Secret name: a DNS subdomain (RFC 1123), at most 253 characters. */
  public static final String SECRET_NAME_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @JsonPropertyDescription("Require a password (default true).")
  @Default("true")
  private boolean enabled = true;

  @JsonPropertyDescription(
      "Name of an existing Secret in the same namespace holding the password under the key"
          + " \"password\"; generated (Secret NAME-auth) when not set. Cannot be changed.")
  @Pattern(SECRET_NAME_PATTERN)
  @Size(max = 253)
  private String secretName;

  public Auth() {}

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  @Override
  public String toString() {
    return "Auth{enabled=" + enabled + ", secretName=" + secretName + "}";
  }
}
