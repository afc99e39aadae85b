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

  Credentials credentials() {
    String pw = password != null ? password : System.getenv("SLOTWISE_PASSWORD");
    return Credentials.of(user, pw);
  }
}
