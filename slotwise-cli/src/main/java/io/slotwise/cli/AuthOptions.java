package io.slotwise.cli;

import io.slotwise.engine.redis.Credentials;
import picocli.CommandLine.Option;

/** {@code --password}, defaulting to {@code SLOTWISE_PASSWORD}; never printed. */
final class AuthOptions {
  @Option(
      names = "--password",
      description = "Password of the Redis nodes (default: $SLOTWISE_PASSWORD).",
      arity = "1")
  String password;

  @Option(names = "--user", description = "ACL user name (default: the default user).")
  String user;

  /** The credentials; warns on {@code err} when the password came from the command line. */
  Credentials credentials(java.io.PrintWriter err) {
    String pw = chosen(password, err);
    return Credentials.of(user, pw);
  }

  static final String WARNING =
      "warning: a password given with --password is visible to other users of this machine"
          + " (process list, shell history); set SLOTWISE_PASSWORD instead";

  /** The password from the command line (with a warning on {@code err}), else from the env. */
  static String chosen(String fromCommandLine, java.io.PrintWriter err) {
    if (fromCommandLine != null) {
      err.println(WARNING);
      err.flush();
      return fromCommandLine;
    }
    return System.getenv("SLOTWISE_PASSWORD");
  }
}
