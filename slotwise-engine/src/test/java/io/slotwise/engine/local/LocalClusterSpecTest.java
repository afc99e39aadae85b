package io.slotwise.engine.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotwise.engine.redis.Credentials;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalClusterSpecTest {
  private static final String SECRET = "s3cr3t-Pa55word";

  @Test
  void toStringNeverShowsThePassword() {
    LocalClusterSpec spec =
        new LocalClusterSpec(
            "dev", 3, 1, Path.of("/tmp/x"), 0, "redis-server", 5000, SECRET, false);

    assertThat(spec.toString()).doesNotContain(SECRET).contains("password=****", "shards=3");
    assertThat(spec.withShards(4, 1).toString()).doesNotContain(SECRET);
  }

  @Test
  void credentialsNeverShowThePassword() {
    assertThat(Credentials.of("app", SECRET).toString()).doesNotContain(SECRET).contains("app");
    assertThat(Credentials.password(SECRET).toString()).doesNotContain(SECRET);
  }
}
