package io.slotwise.engine.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.slotwise.engine.topology.NodeAddress;
import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * Turns Lettuce's exceptions into typed {@link RedisAdminException}s with one-line messages that
 * name the node. The messages speak of credentials, never of how a user supplies them.
 */
final class Failures {
  private Failures() {}

  static RedisAdminException translate(NodeAddress node, String what, Throwable e) {
    if (e instanceof RedisAdminException r) {
      return r;
    }
    String msg = describe(e);
    // Lettuce wraps the server's refusal of AUTH in "Unable to connect to ...": the root cause is
    // the server's reply.
    RedisCommandExecutionException reply = replyIn(e);
    RedisErrorKind kind = reply == null ? null : RedisErrorKind.parse(reply.getMessage());
    if (kind == RedisErrorKind.WRONGPASS) {
      return new RedisAdminException(kind, node + ": authentication failed (wrong password?)", e);
    }
    if (kind == RedisErrorKind.NOAUTH) {
      return new RedisAdminException(
          kind, node + ": the node requires a password and none was given", e);
    }
    if (e instanceof RedisConnectionException || rootCause(e) instanceof ConnectException) {
      Throwable root = rootCause(e);
      if (root instanceof UnknownHostException) {
        return new RedisAdminException(
            RedisErrorKind.CONNECTION_FAILED, node + ": unknown host", e);
      }
      if (kind != null) {
        return new RedisAdminException(kind, node + ": connect failed: " + describe(root), e);
      }
      return new RedisAdminException(
          RedisErrorKind.CONNECTION_FAILED, node + ": cannot connect (" + describe(root) + ")", e);
    }
    if (e instanceof RedisCommandTimeoutException) {
      return new RedisAdminException(RedisErrorKind.TIMEOUT, node + ": " + what + " timed out", e);
    }
    if (kind != null) {
      return new RedisAdminException(kind, node + ": " + what + " failed: " + msg, e);
    }
    return new RedisAdminException(
        RedisErrorKind.CONNECTION_FAILED, node + ": " + what + " failed: " + msg, e);
  }

  private static RedisCommandExecutionException replyIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisCommandExecutionException r) {
        return r;
      }
    }
    return null;
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
