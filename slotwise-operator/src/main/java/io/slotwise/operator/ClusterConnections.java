package io.slotwise.operator;

import io.slotwise.engine.observe.ClusterObserver;
import io.slotwise.engine.redis.Credentials;
import io.slotwise.engine.redis.RedisAdmin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Redis admin connection set per RedisCluster, reused across reconciles and replaced when the
 * password changes (compared by digest; the password itself is not kept here).
 */
public final class ClusterConnections implements AutoCloseable {
  /** The admin and observer of one cluster. */
  public record Session(RedisAdmin admin, ClusterObserver observer, byte[] digest) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public Session session(String key, String password) {
    byte[] digest = digest(password);
    return sessions.compute(
        key,
        (k, current) -> {
          if (current != null && Arrays.equals(current.digest(), digest)) {
            return current;
          }
          if (current != null) {
            current.observer().close();
            current.admin().close();
          }
          RedisAdmin admin = new RedisAdmin(Credentials.password(password));
          return new Session(admin, new ClusterObserver(admin), digest);
        });
  }

  public void drop(String key) {
    Session s = sessions.remove(key);
    if (s != null) {
      s.observer().close();
      s.admin().close();
    }
  }

  private static byte[] digest(String password) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest((password == null ? "" : password).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    sessions.keySet().forEach(this::drop);
  }
}
