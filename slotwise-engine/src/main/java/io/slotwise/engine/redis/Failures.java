package io.slotwise.engine.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.slotwise.engine.topology.NodeAddress;
import java.net.ConnectException;
import java.net.UnknownHostException;

/** Turns Lettuce's exceptions into one-line messages that name the node. */
final class Failures {
  private Failures() {}

  static RedisAdminException translate(NodeAddress node, String what, Throwable e) {
    if (e instanceof RedisAdminException r) {
      return r;
    }
    String msg = describe(e);
    // Lettuce wraps the server's refusal of AUTH in "Unable to connect to ...": look at the root
    // too.
    String lower = (msg + " " + describe(rootCause(e))).toLowerCase();
    if (lower.contains("wrongpass")
        || lower.contains("invalid password")
        || lower.contains("invalid username-password")) {
      return new RedisAdminException(node + ": authentication failed (wrong password?)", e);
    }
    if (lower.contains("noauth") || lower.contains("authentication required")) {
      return new RedisAdminException(
          node + ": the node requires a password (use --password or SLOTWISE_PASSWORD)", e);
    }
    if (e instanceof RedisConnectionException || rootCause(e) instanceof ConnectException) {
      Throwable root = rootCause(e);
      if (root instanceof UnknownHostException) {
        return new RedisAdminException(node + ": unknown host", e);
      }
      return new RedisAdminException(node + ": cannot connect (" + describe(root) + ")", e);
    }
    if (e instanceof RedisCommandTimeoutException) {
      return new RedisAdminException(node + ": " + what + " timed out", e);
    }
    if (e instanceof RedisCommandExecutionException) {
      return new RedisAdminException(node + ": " + what + " failed: " + msg, e);
    }
    return new RedisAdminException(node + ": " + what + " failed: " + msg, e);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    String m = t.getMessage();
    while ((m == null || m.isBlank()) && t.getCause() != null) {
      t = t.getCause();
      m = t.getMessage();
    }
    if (m == null) {
      return t.getClass().getSimpleName();
    }
    // Netty prefixes connection errors with the address it tried; keep the reason only.
    int idx = m.lastIndexOf(": ");
    if (t instanceof ConnectException && idx > 0) {
      m = m.substring(0, idx).replaceFirst("^.*?: ", "");
    }
    return m.replace('\n', ' ');
  }
}
