package io.slotwise.engine.redis;

/** How to authenticate to Redis nodes. The password never appears in {@link #toString()}. */
public final class Credentials {
  public static final Credentials NONE = new Credentials(null, null);

  private final String username;
  private final char[] password;

  private Credentials(String username, char[] password) {
    this.username = username;
    this.password = password;
  }

  public static Credentials password(String password) {
    return password == null || password.isEmpty()
        ? NONE
        : new Credentials(null, password.toCharArray());
  }

  public static Credentials of(String username, String password) {
    if (password == null || password.isEmpty()) {
      return NONE;
    }
    return new Credentials(
        username == null || username.isEmpty() ? null : username, password.toCharArray());
  }

  public boolean present() {
    return password != null;
  }

  public String username() {
    return username;
  }

  char[] passwordChars() {
    return password == null ? null : password.clone();
  }

  /** Adds {@code AUTH}/{@code AUTH2} to a MIGRATE, so the source can log in to the target. */
  void addTo(io.lettuce.core.MigrateArgs<?> args) {
    if (password == null) {
      return;
    }
    if (username != null) {
      args.auth2(username, new String(password));
    } else {
      args.auth(password.clone());
    }
  }

  /** The password for writing into a configuration file this process owns. */
  public String passwordForConfig() {
    return password == null ? null : new String(password);
  }

  @Override
  public String toString() {
    return present()
        ? "Credentials[" + (username == null ? "default" : username) + ", ****]"
        : "Credentials[none]";
  }
}
