package io.slotwise.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built here (no image registry), so its shape is checked: a Maven build
 * stage, a JRE runtime stage that copies the jar from it, a non-root numeric user (the chart's
 * runAsUser), and an exec-form entrypoint that runs the slotwise jar with a small-footprint JVM.
 */
class DockerfileTest {
  /** One instruction, its continuation lines joined, comments dropped. */
  record Instruction(String keyword, String arguments) {}

  static List<Instruction> instructions() {
    String text = RepositoryFiles.read(RepositoryFiles.root().resolve("Dockerfile"));
    List<Instruction> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.lines().toList()) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      String joined = current.toString().strip();
      current.setLength(0);
      if (joined.isEmpty()) {
        continue;
      }
      int space = joined.indexOf(' ');
      assertThat(space).as("instruction without arguments: %s", joined).isPositive();
      result.add(
          new Instruction(
              joined.substring(0, space).toUpperCase(), joined.substring(space + 1).strip()));
    }
    assertThat(current.toString()).as("Dockerfile ends inside a continued line").isBlank();
    return result;
  }

  private static List<String> execForm(String arguments) {
    assertThat(arguments).as("exec form (a JSON array)").startsWith("[").endsWith("]");
    List<String> items = new ArrayList<>();
    Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(,|\\])").matcher(arguments);
    while (m.find()) {
      items.add(m.group(1));
    }
    return items;
  }

  @Test
  void aMavenBuildStageAndAJreRuntimeStageThatTakesTheJarFromIt() {
    List<Instruction> all = instructions();
    assertThat(all.get(0).keyword()).as("first instruction").isEqualTo("FROM");
    List<String> froms =
        all.stream().filter(i -> i.keyword().equals("FROM")).map(Instruction::arguments).toList();
    assertThat(froms)
        .containsExactly("maven:3-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
    List<Instruction> runtime = all.subList(lastFrom(all), all.size());
    assertThat(runtime)
        .filteredOn(i -> i.keyword().equals("COPY"))
        .extracting(Instruction::arguments)
        .anyMatch(a -> a.startsWith("--from=build ") && a.endsWith("/opt/slotwise/slotwise.jar"));
    assertThat(all)
        .filteredOn(i -> i.keyword().equals("RUN"))
        .extracting(Instruction::arguments)
        .anyMatch(
            a -> a.contains("mvn ") && a.contains("package") && a.contains("-pl slotwise-cli"));
  }

  @Test
  void theRuntimeRunsAsTheNonRootUserTheChartExpects() {
    List<Instruction> all = instructions();
    List<Instruction> users =
        all.subList(lastFrom(all), all.size()).stream()
            .filter(i -> i.keyword().equals("USER"))
            .toList();
    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).arguments();
    String uid = user.split(":")[0];
    assertThat(uid).as("USER must be numeric for runAsNonRoot").matches("[0-9]+");
    assertThat(Integer.parseInt(uid)).isNotZero();
    assertThat(RepositoryFiles.read(RepositoryFiles.chart().resolve("values.yaml")))
        .contains("runAsUser: " + uid);
  }

  @Test
  void theEntrypointRunsTheSlotwiseJarWithASmallFootprintJvmAndTheOperatorByDefault() {
    List<Instruction> all = instructions();
    List<String> entrypoint =
        execForm(
            all.stream()
                .filter(i -> i.keyword().equals("ENTRYPOINT"))
                .reduce((a, b) -> b)
                .orElseThrow()
                .arguments());
    List<String> cmd =
        execForm(
            all.stream()
                .filter(i -> i.keyword().equals("CMD"))
                .reduce((a, b) -> b)
                .orElseThrow()
                .arguments());
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
        .containsExactly("-jar", "/opt/slotwise/slotwise.jar");
    assertThat(entrypoint).contains("-XX:+UseSerialGC", "-Xss256k", "-XX:TieredStopAtLevel=1");
    assertThat(entrypoint)
        .anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage=") || f.startsWith("-Xmx"));
    // The chart's args replace CMD and begin with the same verb.
    assertThat(cmd).containsExactly("operator");
  }

  private static int lastFrom(List<Instruction> all) {
    int last = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return last;
  }
}
