package io.slotwise.engine.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Redis errors are told apart by {@code RedisErrorKind}, parsed once in the redis package: no other
 * engine source matches a Redis error's text (its code, such as BUSYKEY, or a phrase of an ERR
 * reply) with contains, startsWith, matches or equals.
 */
class RedisErrorMatchingTest {
  private static final Path SOURCES = Path.of("src/main/java/io/slotwise/engine");
  private static final Pattern TEXT_MATCH =
      Pattern.compile(
          "\\.(contains|startsWith|endsWith|matches|equals|indexOf)\\(\\s*\"([^\"]*)\"");
  private static final Pattern REDIS_ERROR_TEXT =
      Pattern.compile(
          "(?i)\\b(moved|ask|tryagain|busykey|clusterdown|loading|oom|noauth|wrongpass|noperm"
              + "|readonly|masterdown|crossslot|ioerr|err)\\b"
              + "|owner|only with masters|cluster support|authentication|password|target instance");

  @Test
  void noEngineSourceOutsideRedisMatchesRedisErrorText() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.startsWith(SOURCES.resolve("redis"))) {
          continue;
        }
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = TEXT_MATCH.matcher(lines.get(i));
          while (m.find()) {
            if (REDIS_ERROR_TEXT.matcher(m.group(2)).find()) {
              found.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertThat(found).as("use RedisAdminException.kind() instead").isEmpty();
  }

  @Test
  void theCheckSeesTheMatchesItForbids() {
    assertThat(TEXT_MATCH.matcher("if (!e.getMessage().contains(\"BUSYKEY\")) {").find()).isTrue();
    for (String old :
        new String[] {
          "BUSYKEY", "already the owner", "only with masters", "cluster support disabled"
        }) {
      assertThat(REDIS_ERROR_TEXT.matcher(old).find()).as(old).isTrue();
    }
    assertThat(REDIS_ERROR_TEXT.matcher("myself").find()).isFalse();
  }
}
