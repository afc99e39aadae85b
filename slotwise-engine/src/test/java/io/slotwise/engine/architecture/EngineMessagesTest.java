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
 * Engine messages speak of nodes, slots and shards, never of command-line flags or commands: the
 * operator shows them in a status condition, where {@code --slots} or {@code slotwise cluster fix}
 * mean nothing. Checked on the string literals of the packages that follow the rule already.
 */
class EngineMessagesTest {
  private static final Path MAIN = Path.of("src/main/java/io/slotwise/engine");
  private static final Pattern FLAG_OR_COMMAND =
      Pattern.compile("\"[^\"\\n]*(?:(?<![\\w-])--[a-z]|slotwise (?:cluster|local))[^\"\\n]*\"");

  @Test
  void plannersTheRebalancerAndTheConvergenceStepNameNoFlags() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("plan", "converge")) {
      if (!Files.isDirectory(MAIN.resolve(dir))) {
        continue;
      }
      try (Stream<Path> s = Files.walk(MAIN.resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
      }
    }
    files.add(MAIN.resolve("migrate/Rebalancer.java"));
    List<String> found = new ArrayList<>();
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.startsWith("*") || line.startsWith("//")) {
          continue;
        }
        Matcher m = FLAG_OR_COMMAND.matcher(line);
        while (m.find()) {
          found.add(f.getFileName() + ":" + (i + 1) + " " + m.group());
        }
      }
    }
    assertThat(found).isEmpty();
  }
}
